import { Inject, Injectable } from '@nestjs/common';
import { AlertsService } from '../alerts/alerts.service.js';
import { CONFIG, type Config } from '../config/config.js';
import { MailboxLocks } from './mailbox-locks.service.js';
import {
  SENDING_ALERT_RULE, type SendingRuleName, type VolumeFinding, baselineHours, bounceRateFires, volumeFindings, volumeFloors,
} from './sending-rules.js';
import { type SenderBounces, type SenderVolume, SendingVolumeRepository } from './sending-volume.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type Sender = Pick<SenderVolume, 'mailboxId' | 'address' | 'domainId' | 'resellerId'>;

/**
 * The outgoing-mail rules, run by the worker (README "Activity monitoring (outgoing mail)"): a
 * sweep of every mailbox that sent lately, and a check of one mailbox when acceptance saw it pass
 * a floor. A rule that fires suspends the mailbox's sending the way an administrator would
 * (audited as the `monitor`; its waiting mail is held) and raises an alert, which e-mails the tenant.
 */
@Injectable()
export class SendingMonitor {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly volumes: SendingVolumeRepository,
    private readonly locks: MailboxLocks,
    private readonly alerts: AlertsService,
  ) {}

  async sweep(now = new Date()): Promise<{ volume: number; bounceRate: number }> {
    return { volume: await this.judgeVolume(null, now), bounceRate: await this.judgeBounces(now) };
  }

  /** The volume rules for one mailbox (the bounce rate waits for the sweep: bounces arrive slowly). */
  async checkMailbox(mailboxId: string, now = new Date()): Promise<{ volume: number }> {
    return { volume: await this.judgeVolume(mailboxId, now) };
  }

  private async judgeVolume(mailboxId: string | null, now: Date): Promise<number> {
    const rules = this.config.SENDING_RULES;
    const floors = volumeFloors(rules);
    if (!floors) return 0;
    const spike = rules.volumeSpike;
    const hourAgo = new Date(now.getTime() - HOUR_MS);
    const senders = await this.volumes.senders(hourAgo, new Date(now.getTime() - spike.baselineDays * DAY_MS), floors, mailboxId);
    let fired = 0;
    for (const sender of senders) {
      const hours = baselineHours(now, sender.createdAt, spike);
      const findings = volumeFindings(rules, sender.lastHour, sender.baseline, hours);
      // One alert per mailbox and sweep: a cap reached in a spike is the same event.
      const [first] = findings;
      if (!first) continue;
      const perHour = (n: number) => Math.round((n / hours) * 100) / 100;
      await this.act(first.rule, sender, volumeSummary(sender, first, perHour(sender.baseline[first.metric]), spike.multiplier), {
        lastHour: { ...sender.lastHour, since: hourAgo },
        baseline: {
          days: spike.baselineDays, hours: Math.round(hours * 100) / 100, ...sender.baseline,
          messagesPerHour: perHour(sender.baseline.messages), recipientsPerHour: perHour(sender.baseline.recipients),
        },
        findings,
        rules: { volumeSpike: spike, hourlyCap: rules.hourlyCap },
      });
      fired++;
    }
    return fired;
  }

  private async judgeBounces(now: Date): Promise<number> {
    const rule = this.config.SENDING_RULES.bounceRate;
    if (!rule.enabled) return 0;
    const since = new Date(now.getTime() - rule.windowHours * HOUR_MS);
    let fired = 0;
    for (const sender of await this.volumes.bounces(since, rule.minRecipients)) {
      if (!bounceRateFires(rule, sender.settled, sender.bounced)) continue;
      await this.act('bounceRate', sender, bounceSummary(sender, rule.windowHours), {
        settled: sender.settled, bounced: sender.bounced, percent: percentOf(sender),
        since, rule: { percent: rule.percent, minRecipients: rule.minRecipients, windowHours: rule.windowHours },
      });
      fired++;
    }
    return fired;
  }

  private async act(name: SendingRuleName, sender: Sender, summary: string, evidence: object): Promise<void> {
    const rule = this.config.SENDING_RULES[name];
    const alertRule = SENDING_ALERT_RULE[name];
    const owner = { mailboxId: sender.mailboxId, domainId: sender.domainId, resellerId: sender.resellerId };
    const taken: object[] = [];
    if (rule.actions.includes('suspend_sending') && (await this.locks.suspendSending(owner, `${alertRule}: ${summary}`))) {
      taken.push({ type: 'suspend_sending', mailboxId: sender.mailboxId, at: new Date() });
    }
    if (!rule.actions.includes('alert')) return;
    await this.alerts.raise({
      ...owner, rule: alertRule, severity: rule.severity, summary,
      evidence: { address: sender.address, ...evidence }, actions: taken,
      dedupeKey: `${alertRule}:mailbox:${sender.mailboxId}`,
    });
  }
}

function volumeSummary(sender: Sender, finding: VolumeFinding, averagePerHour: number, multiplier: number): string {
  const what = `${sender.address} sent ${finding.count} ${finding.metric} in the last hour`;
  return finding.rule === 'hourlyCap'
    ? `${what}, reaching the hourly cap of ${finding.threshold}`
    : `${what}, more than ${multiplier} times its hourly average of ${averagePerHour}`;
}

function bounceSummary(sender: SenderBounces, windowHours: number): string {
  return `${sender.bounced} of ${sender.settled} recipients of ${sender.address} bounced in the last ${windowHours} h (${percentOf(sender)} %)`;
}

function percentOf(sender: SenderBounces): number {
  return Math.round((sender.bounced / sender.settled) * 1000) / 10;
}
