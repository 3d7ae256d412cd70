import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SendingCheckTrigger } from '../activity/sending-check.trigger.js';
import { CONFIG, type Config } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';
import { countersFor, effectiveLimits, platformCaps } from '../outbound/send-limits.js';
import { type SendReservation, SendLimitsService } from '../outbound/send-limits.service.js';
import * as answers from './policy-answers.js';
import { type PolicyRequest, countAttribute } from './policy-protocol.js';
import { PolicyRepository, type Submitter } from './policy.repository.js';

// How long a decision waits for Redis before deferring (or, with POLICY_FAIL_OPEN, letting the
// mail through): well inside the timeout Postfix gives the whole request (main.cf, 10 s).
export const REDIS_TIMEOUT_MS = 500;

/**
 * The decisions (docs/mail-services.md "Submission"): at each RCPT TO whether the login may send
 * as this sender at all and whether its limits have room for one more recipient, counting
 * nothing; at END-OF-MESSAGE the message is counted once, with its final recipient count, by the
 * same Redis script and counters as POST /v1/messages, recorded for the sending monitor, and the
 * monitor is asked to look when a floor is crossed — so both paths share limits and monitoring.
 */
@Injectable()
export class PolicyService {
  private readonly logger = new Logger(PolicyService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly repository: PolicyRepository,
    private readonly limits: SendLimitsService,
    private readonly sendingChecks: SendingCheckTrigger,
  ) {}

  async decide(request: PolicyRequest): Promise<string> {
    // Unauthenticated clients (mail arriving on port 25) are not ours to judge here.
    const login = request.sasl_username?.trim().toLowerCase();
    if (request.request !== 'smtpd_access_policy' || !login) return answers.DUNNO;
    const sender = (request.sender ?? '').toLowerCase();
    const atEnd = request.protocol_state === 'END-OF-MESSAGE';
    try {
      // The null sender (bounces, read receipts) has no owner; reject_sender_login_mismatch skips it too.
      const submitter = await this.repository.submitter(login, atEnd || !sender ? undefined : sender);
      const refusal = refusalOf(submitter);
      if (refusal || !submitter) return refusal ?? answers.NO_SUCH_SENDER;
      if (atEnd) return await this.count(request, login, submitter);
      if (sender && !submitter.senderOwners.includes(login)) return answers.notOwner(sender, login);
      return await this.check(request, login, submitter);
    } catch (error) {
      this.logger.warn({ err: error, login, state: request.protocol_state }, 'policy: deferring, a lookup failed');
      return answers.UNAVAILABLE;
    }
  }

  /** RCPT TO (or any earlier stage it is wired into), the sender owned: room for one more recipient? */
  private async check(request: PolicyRequest, login: string, submitter: Submitter): Promise<string> {
    const counters = this.counters(submitter, countAttribute(request, 'recipient_count') + 1);
    return this.withRedis(login, async () => {
      const full = await this.limits.check(counters);
      return full ? answers.limitReached(full.counter) : answers.DUNNO;
    });
  }

  /** END-OF-MESSAGE: the message counts once; over a limit now (a race) it is deferred whole. */
  private async count(request: PolicyRequest, login: string, submitter: Submitter): Promise<string> {
    const recipients = countAttribute(request, 'recipient_count');
    let reservation: SendReservation | undefined;
    const answer = await this.withRedis(login, async () => {
      const result = await this.limits.tryReserve(this.counters(submitter, recipients));
      if ('refused' in result) return answers.limitReached(result.refused.counter);
      reservation = result;
      return answers.DUNNO;
    });
    // Refused, or deferred because Redis is away; let through uncounted (POLICY_FAIL_OPEN) is
    // still recorded, so the monitor's sweep sees the volume the limits could not.
    if (answer !== answers.DUNNO) return answer;
    try {
      await this.repository.recordSubmission({
        mailboxId: submitter.mailboxId, sender: (request.sender ?? '').toLowerCase(), recipients,
        size: countAttribute(request, 'size'), queueId: request.queue_id || null, clientAddress: request.client_address || null,
      });
    } catch (error) {
      if (reservation) await this.limits.refund(reservation).catch(() => undefined);
      throw error;
    }
    // After the answer's facts are stored; the trigger logs its own failures.
    if (reservation) void this.sendingChecks.accepted(submitter.mailboxId, reservation);
    return answers.DUNNO;
  }

  private counters(submitter: Submitter, recipients: number) {
    const caps = platformCaps(this.config);
    return countersFor([
      { scope: `mailbox:${submitter.mailboxId}`, limits: effectiveLimits(submitter.mailboxLimits, caps) },
      { scope: `domain:${submitter.domainId}`, limits: effectiveLimits(submitter.domainLimits, caps) },
    ], recipients);
  }

  /** Redis within REDIS_TIMEOUT_MS, else defer (or DUNNO with POLICY_FAIL_OPEN), with a warning. */
  private async withRedis(login: string, command: () => Promise<string>): Promise<string> {
    try {
      // ioredis queues commands while disconnected: do not wait for a reconnect that may never come.
      if (this.redis.status !== 'ready') throw new Error('Redis connection is not ready');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
      });
      const pending = command();
      // Its own rejection after the timeout must not be unhandled (that would end the process).
      pending.catch(() => undefined);
      return await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
    } catch (error) {
      const open = this.config.POLICY_FAIL_OPEN;
      this.logger.warn({ err: error, login }, `policy: Redis unavailable, ${open ? 'letting mail through uncounted (POLICY_FAIL_OPEN)' : 'deferring'}`);
      return open ? answers.DUNNO : answers.UNAVAILABLE;
    }
  }
}

/** What refuses a login whatever the message: gone or disabled, SMTP off, suspended. */
function refusalOf(submitter: Submitter | null): string | null {
  if (!submitter || !submitter.mayLogIn) return answers.NO_SUCH_SENDER;
  if (!submitter.smtpEnabled) return answers.SMTP_OFF;
  if (submitter.suspendedAt) return answers.SUSPENDED;
  return null;
}
