import { Inject, Injectable } from '@nestjs/common';
import { AlertsService } from '../alerts/alerts.service.js';
import { CONFIG, type Config } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { loginBlockedData } from '../webhooks/webhook-event-data.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';
import { type IpEvidence, ipAlertShares } from './login-alert-audience.js';
import { type LoginEvent, LoginCounters } from './login-counters.js';
import type { Detection } from './login-monitor.service.js';
import { ALERT_RULE, type LoginRuleName } from './login-rules.js';
import { type MailboxOwner, MailboxLocks } from './mailbox-locks.service.js';

type IpRuleName = 'failuresPerIp' | 'passwordSpraying';
type AccountRuleName = Exclude<LoginRuleName, IpRuleName>;

const SUMMARY: Record<LoginRuleName, (d: Detection, e: LoginEvent) => string> = {
  failuresPerIp: (d) => `${d.counts.ipFailures} failed logins from ${d.subject.value}`,
  failuresPerAccount: (d) => `${d.counts.accountFailures} failed logins to ${d.subject.value}`,
  passwordSpraying: (d) => `${d.subject.value} failed logins to ${d.counts.ipDistinctAccounts} accounts (password spraying)`,
  successAfterFailures: (d, e) => `${e.login} logged in from ${e.remoteIp} after ${d.counts.recentAccountFailures} failed logins`,
  newNetwork: (d, e) => `${e.login} logged in from a new network, ${d.network}`,
};

/** For a tenant holding some of the accounts an IP failed against: no counts of the others'. */
const SHARE_SUMMARY: Record<IpRuleName, (ip: string, accounts: number) => string> = {
  failuresPerIp: (ip, n) => `failed logins from ${ip} to ${n} of this tenant's accounts`,
  passwordSpraying: (ip, n) => `${ip} failed logins to ${n} of this tenant's accounts (password spraying)`,
};

/** What a fired rule does beyond the hook: alerts, login locks, sending suspensions (PostgreSQL). */
@Injectable()
export class LoginActions {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly counters: LoginCounters,
    private readonly alerts: AlertsService,
    private readonly locks: MailboxLocks,
    private readonly prisma: PrismaService,
    private readonly webhooks: WebhookEvents,
  ) {}

  async apply(event: LoginEvent, detections: Detection[]): Promise<void> {
    for (const detection of detections) {
      const taken = this.blockTaken(detection);
      // The block itself lives in Redis: there is no transaction to share, the event is written alone.
      if (taken.length && detection.subject.kind === 'ip') await this.webhooks.emit(this.prisma, detection.tenantId, 'login.blocked', loginBlockedData({ ip: detection.subject.value, rule: ALERT_RULE[detection.rule], until: (taken[0] as { until: Date }).until }));
      if (detection.subject.kind === 'ip') await this.alertIp(event, detection, detection.rule as IpRuleName, taken);
      else await this.actOnAccount(event, detection, detection.rule as AccountRuleName, taken);
    }
  }

  private blockTaken(detection: Detection): object[] {
    if (detection.blockedForSeconds <= 0) return [];
    const rule = this.config.LOGIN_RULES[detection.rule];
    const now = new Date();
    return [{
      type: rule.actions.includes('reject') ? 'reject' : 'tarpit', subject: detection.subject,
      // An IP is blocked on the whole platform, or (a tenant's own reports) for that tenant's accounts only.
      ...(detection.subject.kind === 'ip' && { scope: detection.tenantId === null ? 'platform' : 'tenant' }),
      seconds: detection.blockedForSeconds, until: new Date(now.getTime() + detection.blockedForSeconds * 1000), at: now,
    }];
  }

  private async actOnAccount(event: LoginEvent, detection: Detection, name: AccountRuleName, taken: object[]): Promise<void> {
    const rule = this.config.LOGIN_RULES[name];
    const owner = await this.locks.ownerOf(event.login);
    const summary = SUMMARY[name](detection, event);
    const reason = `${ALERT_RULE[name]}: ${summary}`;
    if (owner?.mailboxId && rule.actions.includes('lock_login') && (await this.locks.lockLogin(owner as Required<MailboxOwner> & { mailboxId: string }, event.login, reason))) {
      taken.push({ type: 'lock_login', mailboxId: owner.mailboxId, at: new Date() });
    }
    if (owner?.mailboxId && rule.actions.includes('suspend_sending') && (await this.locks.suspendSending(owner as Required<MailboxOwner> & { mailboxId: string }, reason))) {
      taken.push({ type: 'suspend_sending', mailboxId: owner.mailboxId, at: new Date() });
    }
    if (!rule.actions.includes('alert')) return;
    await this.alerts.raise({
      resellerId: owner?.resellerId ?? null, domainId: owner?.domainId ?? null, mailboxId: owner?.mailboxId ?? null,
      rule: ALERT_RULE[name], severity: rule.severity, summary, evidence: await this.accountEvidence(event, detection, name), actions: taken,
      dedupeKey: `${ALERT_RULE[name]}:account:${event.login}`,
    });
  }

  /** One alert per owner involved (alerts are deduplicated per owner), each with its own share of the evidence. */
  private async alertIp(event: LoginEvent, detection: Detection, name: IpRuleName, taken: object[]): Promise<void> {
    const rule = this.config.LOGIN_RULES[name];
    if (!rule.actions.includes('alert')) return;
    const accounts = await this.counters.recentAccountsOf(event.remoteIp, detection.tenantId ?? undefined);
    const evidence: IpEvidence = {
      ...this.baseEvidence(event, name), remoteIp: event.remoteIp,
      failures: detection.counts.ipFailures, distinctAccounts: detection.counts.ipDistinctAccounts, accounts,
    };
    for (const share of ipAlertShares(evidence, await this.locks.tenantsOf(accounts), detection.tenantId)) {
      await this.alerts.raise({
        resellerId: share.resellerId, rule: ALERT_RULE[name], severity: rule.severity,
        summary: share.whole ? SUMMARY[name](detection, event) : SHARE_SUMMARY[name](event.remoteIp, (share.evidence.accounts as string[]).length),
        evidence: share.evidence, actions: taken,
        dedupeKey: `${ALERT_RULE[name]}:ip:${event.remoteIp}`,
      });
    }
  }

  private baseEvidence(event: LoginEvent, name: LoginRuleName) {
    const rule = this.config.LOGIN_RULES[name];
    return {
      rule: { threshold: rule.threshold, windowSeconds: rule.windowSeconds },
      lastAttempt: { login: event.login, remoteIp: event.remoteIp, protocol: event.protocol, outcome: event.outcome, at: new Date(event.at) },
    };
  }

  private async accountEvidence(event: LoginEvent, d: Detection, name: AccountRuleName): Promise<Record<string, unknown>> {
    const base = this.baseEvidence(event, name);
    switch (name) {
      case 'failuresPerAccount':
        return { ...base, login: event.login, failures: d.counts.accountFailures, remoteIps: await this.counters.recentIpsOf(event.login) };
      case 'successAfterFailures':
        return { ...base, login: event.login, failuresBefore: d.counts.recentAccountFailures, remoteIps: await this.counters.recentIpsOf(event.login) };
      case 'newNetwork':
        return { ...base, login: event.login, network: d.network, knownNetworks: d.counts.knownNetworks };
    }
  }
}
