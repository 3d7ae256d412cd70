import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import type { LoginEvent } from '../generated/prisma/client.js';
import { STAFF_LOGIN_PREFIX } from '../sessions/person.js';
import { LoginEventsRepository } from './login-events.repository.js';
import { networkOf } from './login-network.js';
import { ALERT_RULE } from './login-rules.js';

// The account rules whose alert names one login as its last attempt: the logins to review.
const FLAGGING_RULES = [ALERT_RULE.newNetwork, ALERT_RULE.successAfterFailures, ALERT_RULE.failuresPerAccount];
// An alert's lastAttempt.at and the stored occurred_at are the same instant, up to rounding.
const SAME_LOGIN_TOLERANCE_MS = 1000;
// Alerts are raised just after the login they name; one written before the oldest login cannot name it.
const ALERT_LOOKBACK_SLACK_MS = 60_000;

/** GET /v1/me/activity: a person's own recent logins, as the provider's advice asks them to review. */
@Injectable()
export class OwnActivity {
  constructor(private readonly events: LoginEventsRepository) {}

  async list(caller: Caller, query: { limit: number; cursor?: string }) {
    const principal = caller.principal;
    if (principal.kind === 'apiKey') throw Problem.forbidden('session_required', 'Only a person logged in with a session has logins of its own.');
    const login = principal.kind === 'user' ? STAFF_LOGIN_PREFIX + principal.email : principal.email;
    const page = principal.kind === 'user'
      ? await this.events.listForStaffLogin(login, query)
      : await this.events.listForMailbox(principal.id, query);
    const oldest = page.items.at(-1)?.occurredAt;
    const flags = oldest ? await this.events.flaggedBy(login, new Date(oldest.getTime() - ALERT_LOOKBACK_SLACK_MS), FLAGGING_RULES) : [];
    const flagOf = (event: LoginEvent) => flags.find((f) => f.remoteIp === event.remoteIp
      && Math.abs(f.at.getTime() - event.occurredAt.getTime()) <= SAME_LOGIN_TOLERANCE_MS)?.rule ?? null;
    return {
      items: page.items.map((event) => {
        const flag = flagOf(event);
        return {
          at: event.occurredAt, protocol: event.protocol, remoteIp: event.remoteIp, network: networkOf(event.remoteIp),
          result: event.result, unusual: flag !== null, reason: flag,
        };
      }),
      nextCursor: page.nextCursor,
    };
  }
}
