import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '../../config/config.js';
import type { Message } from '../../generated/prisma/client.js';
import { LEASE_SAFETY_MARGIN_MS, MIN_ATTEMPT_MS } from './delivery.constants.js';
import { type Claim, type ClaimedMessage, DeliveryRepository, type NewDsn, type PendingRecipient } from './delivery.repository.js';
import { DomainDelivery, type RecipientAttempt, type RecipientTarget } from './domain-delivery.js';
import { type DsnRecipient, composeDsn } from './dsn.js';
import { isInfrastructureFailure, localDeferral } from './local-failure.js';
import { MessageSigner } from './message-signer.js';
import { type Settlement, settle } from './settlement.js';

/** What the job does next: nothing (the message is settled, held, or not ours), or run again at `retryAt`. */
export type DeliveryVerdict = { done: true; reason: string } | { done: false; retryAt: Date; reason: string };
/** DSNs created by a settlement, which the caller schedules once they are committed. */
export type DeliveryResult = DeliveryVerdict & { dsnIds: string[] };

/**
 * One try of one message, as a checklist: claim → check the sender → sign → send per destination
 * domain → record the attempts → reschedule or finish (with the DSNs owed to the sender). A fault
 * of our own on the way is a try too: its recipients are deferred locally (ELOCAL).
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly repository: DeliveryRepository,
    private readonly domains: DomainDelivery,
    private readonly signer: MessageSigner,
  ) {}

  async deliver(messageId: string): Promise<DeliveryResult> {
    const claim = await this.repository.claim(messageId, this.config.OUTBOUND_LEASE_MS);
    if (!claim) return { ...(await this.notClaimed(messageId)), dsnIds: [] };
    try {
      const { message } = claim;
      if (this.senderSuspended(claim)) return await this.hold(claim);
      const signed = await this.signer.sign(message);
      const { results, dsnIds, settled } = await this.sendPerDomain(message, claim, signed);
      return await this.finish(claim, message, results, dsnIds, settled);
    } catch (error) {
      const deferred = isInfrastructureFailure(error) ? undefined : await this.deferLocally(claim, error);
      if (deferred) return deferred;
      // Hand the message back now (best effort) instead of leaving it leased; the job retries.
      await this.repository.release(claim, new Date()).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A fault of our own that a retry right away would only repeat (see local-failure.ts): every
   * pending recipient gets an ELOCAL attempt and the message the normal retry ladder, bounced
   * (with its DSN) at the end of its lifetime. Undefined when even that cannot be recorded.
   */
  private async deferLocally(claim: ClaimedMessage, error: unknown): Promise<DeliveryResult | undefined> {
    this.logger.error({ messageId: claim.id, attempt: claim.attempts, error: String(error), stack: (error as Error)?.stack }, 'local delivery error: deferring the pending recipients');
    try {
      const message = await this.repository.load(claim.id);
      const result = localDeferral(error);
      const results = message.recipients.map((r): RecipientAttempt => ({ recipientId: r.id, address: r.address, host: null, result }));
      const now = new Date();
      const settlement = this.settle(claim, message, results, now);
      const dsnIds = await this.repository.recordDomain(claim, settlement.recipients, this.reportsIfAny(message, settlement, now), now, settlement.message);
      return { ...verdict(settlement.message), dsnIds };
    } catch (recording) {
      this.logger.error({ messageId: claim.id, error: String(recording) }, 'local delivery error not recorded: left to the job\'s retries');
      return undefined;
    }
  }

  /** The DSNs owed, unless composing them is what fails: the deferral or bounce must be recorded. */
  private reportsIfAny(message: Message, settlement: Settlement, now: Date): NewDsn[] {
    try {
      return [...this.reports(message, settlement, now, 'failed'), ...this.reports(message, settlement, now, 'delayed')];
    } catch (error) {
      this.logger.error({ messageId: message.id, error: String(error) }, 'delivery status notification not composed');
      return [];
    }
  }

  /** Cancelled, completed, held, gone — or due later, or leased by a live worker: come back then. */
  private async notClaimed(messageId: string): Promise<DeliveryVerdict> {
    const state = await this.repository.state(messageId);
    if (!state) return { done: true, reason: 'message no longer exists' };
    if (state.status === 'sending' && state.leaseUntil) return { done: false, retryAt: state.leaseUntil, reason: 'leased by another worker' };
    if ((state.status === 'queued' || state.status === 'deferred') && state.nextAttemptAt) {
      return { done: false, retryAt: state.nextAttemptAt, reason: 'not due yet' };
    }
    return { done: true, reason: `message is ${state.status}` };
  }

  private senderSuspended({ message, senderSuspended }: Claim): boolean {
    return message.kind !== 'dsn' && senderSuspended;
  }

  private async hold(claim: ClaimedMessage): Promise<DeliveryResult> {
    await this.repository.hold(claim);
    return { done: true, reason: 'sender suspended: held', dsnIds: [] };
  }

  /**
   * Each destination domain in its own SMTP transaction, side by side, all ending before the
   * lease; each domain's outcome is recorded the moment it is known.
   */
  private async sendPerDomain(message: Message & { recipients: PendingRecipient[] }, claim: ClaimedMessage, raw: Buffer) {
    const budgetMs = Math.max(MIN_ATTEMPT_MS, claim.leaseUntil.getTime() - Date.now() - LEASE_SAFETY_MARGIN_MS);
    const signal = AbortSignal.timeout(budgetMs);
    const byDomain = new Map<string, PendingRecipient[]>();
    for (const r of message.recipients) byDomain.set(r.domain, [...(byDomain.get(r.domain) ?? []), r]);
    const single = byDomain.size === 1;
    const perDomain = await settledAll([...byDomain].map(async ([domain, recipients]) => {
      const targets = recipients.map(({ id, address }) => ({ id, address }));
      const results = await this.domains.deliver(domain, message.mailFrom, targets, raw, signal)
        .catch((error: unknown) => this.localResults(message.id, domain, targets, error));
      const now = new Date();
      const settlement = this.settle(claim, message, results, now);
      const reports = [...this.reports(message, settlement, now, 'failed'), ...(single ? this.reports(message, settlement, now, 'delayed') : [])];
      // The common case, one destination domain: the whole try settles in one transaction.
      const dsnIds = await this.repository.recordDomain(claim, settlement.recipients, reports, now, single ? settlement.message : undefined);
      return { results, dsnIds, next: settlement.message };
    }));
    return { results: perDomain.flatMap((d) => d.results), dsnIds: perDomain.flatMap((d) => d.dsnIds), settled: single ? perDomain[0].next : undefined };
  }

  private async finish(
    claim: ClaimedMessage, message: Message, results: RecipientAttempt[], recorded: string[], settled?: Settlement['message'],
  ): Promise<DeliveryResult> {
    let next = settled;
    const dsnIds = [...recorded];
    if (!next) {
      const now = new Date();
      const settlement = this.settle(claim, message, results, now);
      dsnIds.push(...await this.repository.finish(claim, settlement.message, this.reports(message, settlement, now, 'delayed'), now));
      next = settlement.message;
    }
    const outcomes = results.map((r) => `${r.address}=${r.result.outcome}`).join(' ');
    this.logger.log({ messageId: message.id, attempt: claim.attempts, outcomes, next: next.nextAttemptAt }, 'delivery attempt');
    return { ...verdict(next), dsnIds };
  }

  /** One destination's share failed in our own code (e.g. its DNS lookup threw): deferred locally. */
  private localResults(messageId: string, domain: string, targets: RecipientTarget[], error: unknown): RecipientAttempt[] {
    this.logger.error({ messageId, domain, error: String(error), stack: (error as Error)?.stack }, 'local delivery error: domain deferred');
    const result = localDeferral(error);
    return targets.map((t) => ({ recipientId: t.id, address: t.address, host: null, result }));
  }

  private settle(claim: ClaimedMessage, message: Message, results: RecipientAttempt[], now: Date): Settlement {
    return settle({
      ...message, attempts: claim.attempts, results, now,
      policy: { baseMs: this.config.OUTBOUND_RETRY_BASE_MS, maxMs: this.config.OUTBOUND_RETRY_MAX_MS },
      delayNoticeMs: this.config.OUTBOUND_DELAY_NOTICE_MS,
    });
  }

  private reports(message: Message, settlement: Settlement, now: Date, action: 'failed' | 'delayed'): NewDsn[] {
    const report = (action: 'failed' | 'delayed', recipients: DsnRecipient[]): NewDsn => {
      const dsn = composeDsn({
        action, recipients, reportingMta: this.config.OUTBOUND_HELO_NAME ?? this.config.MAIL_HOSTNAME, queueId: message.id,
        to: message.mailFrom, originalRaw: Buffer.from(message.raw), arrivalDate: message.createdAt, willRetryUntil: message.expiresAt,
      }, now);
      return {
        resellerId: message.resellerId, to: message.mailFrom, fromHeader: dsn.from, subject: dsn.subject, messageIdHeader: dsn.messageId,
        raw: dsn.raw, expiresAt: new Date(now.getTime() + this.config.OUTBOUND_MAX_LIFETIME_MS),
      };
    };
    const recipients = action === 'failed' ? settlement.failedReport : settlement.delayedReport;
    return recipients.length ? [report(action, recipients)] : [];
  }
}

function verdict({ status, nextAttemptAt }: Settlement['message']): DeliveryVerdict {
  return status === 'deferred' && nextAttemptAt ? { done: false, retryAt: nextAttemptAt, reason: 'deferred' } : { done: true, reason: 'completed' };
}

/**
 * Promise.all, except that it waits for every destination before failing: a failure recorded
 * while another domain's transaction is still open could lose that domain's delivered record.
 */
async function settledAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(promises);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
