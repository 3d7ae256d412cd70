import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { LoginActions } from './login-actions.service.js';
import { type LoginEvent, LoginCounters, type TenantScope } from './login-counters.js';
import { networkOf } from './login-network.js';
import { type LoginCounts, RULE_SUBJECT, blockValue, firedRules } from './login-policy.js';
import type { LoginRuleName } from './login-rules.js';
import { MailboxLocksRepository } from './mailbox-locks.repository.js';

/** One rule that fired on one login: what it acts on and the block it put there. */
export interface Detection {
  rule: LoginRuleName;
  subject: { kind: 'ip' | 'account'; value: string };
  /** An IP rule that fired in this tenant's own windows (its own reports): blocked for it alone. Null: platform-wide. */
  tenantId: string | null;
  /** Seconds of the block or tarpit put on the subject; 0: none. */
  blockedForSeconds: number;
  network: string | null;
  counts: LoginCounts;
}

/**
 * Detection on the request path: each reported login updates the Redis windows and fires rules
 * there, so the next allow check already sees the block. What needs PostgreSQL (alerts, locks,
 * suspensions) runs after the answer, in LoginActions.
 */
@Injectable()
export class LoginMonitor {
  private readonly logger = new Logger(LoginMonitor.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly counters: LoginCounters,
    private readonly actions: LoginActions,
    private readonly owners: MailboxLocksRepository,
  ) {}

  async record(event: LoginEvent): Promise<Detection[]> {
    const rules = this.config.LOGIN_RULES;
    const network = networkOf(event.remoteIp);
    const counts = await this.counters.record(event, network, rules);
    const detections: Detection[] = [];
    for (const name of firedRules(rules, event.outcome, counts)) {
      const byIp = RULE_SUBJECT[name] === 'ip';
      const subject = byIp ? { kind: 'ip' as const, value: event.remoteIp } : { kind: 'account' as const, value: event.login };
      const tenantId = byIp ? event.resellerId ?? null : null;
      const tenant: TenantScope | undefined = tenantId === null ? undefined : { resellerId: tenantId, domains: () => this.owners.domainNamesOf(tenantId) };
      const blocked = await this.counters.fire(name, rules[name], subject, blockValue(rules[name]), tenant);
      if (blocked !== null) detections.push({ rule: name, subject, tenantId, blockedForSeconds: blocked, network, counts });
    }
    if (detections.length) {
      // After the answer: the hook never waits on PostgreSQL. A failure here loses the alert, not
      // the block (already in Redis), and is logged with what was lost.
      setImmediate(() => {
        this.actions.apply(event, detections).catch((error: unknown) =>
          this.logger.error({ err: error, event, rules: detections.map((d) => d.rule) }, 'login monitoring: actions failed'));
      });
    }
    return detections;
  }
}
