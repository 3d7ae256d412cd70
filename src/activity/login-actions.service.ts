import { Inject, Injectable } from '@nestjs/common';
import { AlertsService } from '../alerts/alerts.service.js';
import { CONFIG, type Config } from '../config/config.js';
import { type LoginEvent, LoginCounters } from './login-counters.js';
import type { Detection } from './login-monitor.service.js';
import { ALERT_RULE, type LoginRuleName } from './login-rules.js';
import { type MailboxOwner, MailboxLocks } from './mailbox-locks.service.js';

const SUMMARY: Record<LoginRuleName, (d: Detection, e: LoginEvent) => string> = {
  failuresPerIp: (d) => `${d.counts.ipFailures} failed logins from ${d.subject.value}`,
  failuresPerAccount: (d) => `${d.counts.accountFailures} failed logins to ${d.subject.value}`,
  passwordSpraying: (d) => `${d.subject.value} failed logins to ${d.counts.ipDistinctAccounts} accounts (password spraying)`,
  successAfterFailures: (d, e) => `${e.login} logged in from ${e.remoteIp} after ${d.counts.recentAccountFailures} failed logins`,
  newNetwork: (d, e) => `${e.login} logged in from a new network, ${d.network}`,
};

/** What a fired rule does beyond the hook: alerts, login locks, sending suspensions (PostgreSQL). */
@Injectable()
export class LoginActions {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly counters: LoginCounters,
    private readonly alerts: AlertsService,
    private readonly locks: MailboxLocks,
  ) {}

  async apply(event: LoginEvent, detections: Detection[]): Promise<void> {
    for (const detection of detections) await this.applyOne(event, detection);
  }

  private async applyOne(event: LoginEvent, detection: Detection): Promise<void> {
    const rule = this.config.LOGIN_RULES[detection.rule];
    const now = new Date();
    const taken: object[] = [];
    if (detection.blockedForSeconds > 0) {
      taken.push({
        type: rule.actions.includes('reject') ? 'reject' : 'tarpit', subject: detection.subject,
        seconds: detection.blockedForSeconds, until: new Date(now.getTime() + detection.blockedForSeconds * 1000), at: now,
      });
    }
    const evidence = await this.evidence(event, detection);
    const owner = detection.subject.kind === 'account'
      ? await this.locks.ownerOf(event.login)
      : await this.locks.commonOwnerOf(evidence.accounts as string[]);
    const reason = `${ALERT_RULE[detection.rule]}: ${SUMMARY[detection.rule](detection, event)}`;
    if (owner?.mailboxId && rule.actions.includes('lock_login') && (await this.locks.lockLogin(owner as Required<MailboxOwner> & { mailboxId: string }, event.login, reason))) {
      taken.push({ type: 'lock_login', mailboxId: owner.mailboxId, at: now });
    }
    if (owner?.mailboxId && rule.actions.includes('suspend_sending') && (await this.locks.suspendSending(owner as Required<MailboxOwner> & { mailboxId: string }, reason))) {
      taken.push({ type: 'suspend_sending', mailboxId: owner.mailboxId, at: now });
    }
    if (!rule.actions.includes('alert')) return;
    await this.alerts.raise({
      resellerId: owner?.resellerId ?? null,
      domainId: owner?.domainId ?? null,
      mailboxId: owner?.mailboxId ?? null,
      rule: ALERT_RULE[detection.rule],
      severity: rule.severity,
      summary: SUMMARY[detection.rule](detection, event),
      evidence,
      actions: taken,
      dedupeKey: `${ALERT_RULE[detection.rule]}:${detection.subject.kind}:${detection.subject.value}`,
    });
  }

  private async evidence(event: LoginEvent, d: Detection): Promise<Record<string, unknown>> {
    const rule = this.config.LOGIN_RULES[d.rule];
    const base = {
      rule: { threshold: rule.threshold, windowSeconds: rule.windowSeconds },
      lastAttempt: { login: event.login, remoteIp: event.remoteIp, protocol: event.protocol, outcome: event.outcome, at: new Date(event.at) },
    };
    switch (d.rule) {
      case 'failuresPerIp':
      case 'passwordSpraying':
        return { ...base, remoteIp: event.remoteIp, failures: d.counts.ipFailures, distinctAccounts: d.counts.ipDistinctAccounts, accounts: await this.counters.recentAccountsOf(event.remoteIp) };
      case 'failuresPerAccount':
        return { ...base, login: event.login, failures: d.counts.accountFailures, remoteIps: await this.counters.recentIpsOf(event.login) };
      case 'successAfterFailures':
        return { ...base, login: event.login, failuresBefore: d.counts.recentAccountFailures, remoteIps: await this.counters.recentIpsOf(event.login) };
      case 'newNetwork':
        return { ...base, login: event.login, network: d.network, knownNetworks: d.counts.knownNetworks };
    }
  }
}
