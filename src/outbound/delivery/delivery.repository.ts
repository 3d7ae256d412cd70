import { Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client.js';
import { PrismaService, type Tx } from '../../prisma/prisma.service.js';
import { WebhookEvents } from '../../webhooks/webhook-events.service.js';
import { DELIVERABLE_MESSAGE, type DeliverableMessage, type DeliverableRow, recordAttemptsSql, toDeliverable } from './delivery.sql.js';
import { type SystemMessage, insertSystemMessage } from '../system-messages.js';
import type { Settlement } from './settlement.js';

export interface ClaimedMessage {
  id: string;
  attempts: number;
  leaseUntil: Date;
}

export type { DeliverableMessage, PendingRecipient } from './delivery.sql.js';
/** What a claim reads in the same statement: the message, and whether its mailbox is suspended. */
export type Claim = ClaimedMessage & { message: DeliverableMessage; senderSuspended: boolean };

/** A bounce or delay report owed to a sender, written with the try that settles it. */
export type NewDsn = Omit<SystemMessage, 'id' | 'kind' | 'mailFrom'>;

/**
 * The only Prisma code of the delivery worker. Message state changes are fenced by the claim.
 * Every try runs claim() and recordDomain(): plain SQL, one statement each in the common case
 * (bench/outbound-delivery.mjs): a Prisma model call is a round trip or more, each compiled by the
 * client engine, and these run for every message.
 */
@Injectable()
export class DeliveryRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly webhooks: WebhookEvents,
  ) {}

  /**
   * The claim: one conditional UPDATE, so a claim and a cancel (or two workers) never both win.
   * A message is claimable when due, or when the worker that held it let its lease run out.
   * `attempts` is the fencing token: every later write names it. The same statement reads what
   * the try needs: the message as claimed, its pending recipients, and its sender's suspension.
   */
  async claim(id: string, leaseMs: number): Promise<Claim | null> {
    const rows = await this.prisma.$queryRaw<(DeliverableRow & { senderSuspended: boolean; takenOver: boolean })[]>`
      WITH before AS (SELECT status FROM messages WHERE id = ${id}::uuid),
      m AS (
        UPDATE messages SET status = 'sending', lease_until = now() + ${leaseMs} * interval '1 millisecond',
          attempts = attempts + 1, updated_at = now()
        WHERE id = ${id}::uuid
          AND ((status IN ('queued', 'deferred') AND next_attempt_at <= now()) OR (status = 'sending' AND lease_until < now()))
        RETURNING *)
      SELECT ${DELIVERABLE_MESSAGE},
        EXISTS (SELECT 1 FROM mailboxes b WHERE b.id = m.mailbox_id AND b.sending_suspended_at IS NOT NULL) AS "senderSuspended",
        (SELECT status = 'sending' FROM before) AS "takenOver"
      FROM m`;
    const row = rows[0];
    if (!row) return null;
    const { senderSuspended, takenOver, ...claimed } = row;
    // Taken over from a worker whose lease ran out: that worker may have recorded recipients while
    // this statement waited for the row, after its snapshot was taken. Read them again, now.
    const message = takenOver ? await this.load(id) : toDeliverable(claimed);
    return { id: message.id, attempts: message.attempts, leaseUntil: message.leaseUntil!, message, senderSuspended };
  }

  /**
   * Unfinished messages that should have been picked up by now: due for longer than `graceMs`,
   * or leased by a worker whose lease ran out. Keyset-paged by id.
   */
  overdue(afterId: string, limit: number, graceMs: number): Promise<{ id: string }[]> {
    return this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM messages
      WHERE ((status IN ('queued', 'deferred') AND (next_attempt_at IS NULL OR next_attempt_at <= now() - ${graceMs} * interval '1 millisecond'))
          OR (status = 'sending' AND lease_until < now() - ${graceMs} * interval '1 millisecond'))
        AND id > ${afterId}::uuid
      ORDER BY id LIMIT ${limit}`;
  }

  /** Why a message could not be claimed: its status and when it may be claimed. */
  state(id: string) {
    return this.prisma.message.findUnique({ where: { id }, select: { status: true, nextAttemptAt: true, leaseUntil: true } });
  }

  /** The message as claim() reads it, again (e.g. after an error during the try). */
  async load(id: string): Promise<DeliverableMessage> {
    const rows = await this.prisma.$queryRaw<DeliverableRow[]>`SELECT ${DELIVERABLE_MESSAGE} FROM messages m WHERE m.id = ${id}::uuid`;
    if (!rows[0]) throw new Error(`message ${id} no longer exists`);
    return toDeliverable(rows[0]);
  }

  signingDomain(domainId: string | null) {
    return domainId ? this.prisma.domain.findUnique({ where: { id: domainId }, select: { id: true, name: true } }) : null;
  }

  /** Held: not sent while the sender's sending is suspended; the claim did not count as a try. */
  async hold(claim: ClaimedMessage): Promise<void> {
    await this.prisma.message.updateMany({
      where: { id: claim.id, status: 'sending', attempts: claim.attempts },
      data: { status: 'held', leaseUntil: null, attempts: { decrement: 1 } },
    });
  }

  /** After an unexpected error: hand the message back at once rather than after the lease. */
  async release(claim: ClaimedMessage, at: Date): Promise<void> {
    await this.prisma.message.updateMany({
      where: { id: claim.id, status: 'sending', attempts: claim.attempts },
      data: { status: 'deferred', leaseUntil: null, nextAttemptAt: at },
    });
  }

  /**
   * Records one destination domain's share of a try as soon as it ends, in one transaction: each
   * recipient's attempt and new status, and the bounce report owed for it. Recorded, a delivered
   * recipient is never sent again, even if this worker dies before the message is finished.
   * A worker that lost its lease changes nothing (the fence).
   */
  async recordDomain(claim: ClaimedMessage, recipients: Settlement['recipients'], dsns: NewDsn[], now: Date, next?: Settlement['message']): Promise<string[]> {
    const record = async (db: PrismaService | Tx) => {
      const [{ fenced }] = await db.$queryRaw<{ fenced: number }[]>(recordAttemptsSql(claim, recipients, now, next));
      if (fenced !== 1) throw new Error(`lost the lease on message ${claim.id} before recording its attempt`);
    };
    // The recipients' message.delivered/deferred/bounced events commit with their new status.
    return this.prisma.$transaction(async (tx) => {
      await record(tx);
      await this.webhooks.emitMessageOutcomes(tx, claim.id, claim.attempts, recipients);
      return dsns.length ? this.insertDsns(tx, dsns, now) : [];
    });
  }

  /**
   * Ends the try: the message's next state, and the delay notice if one is owed. (A message to
   * one domain settles in recordDomain's transaction instead: `next` given there.)
   */
  async finish(claim: ClaimedMessage, next: Settlement['message'], dsns: NewDsn[], now: Date): Promise<string[]> {
    return this.prisma.$transaction(async (tx) => {
      await this.fence(tx, claim, this.nextState(next, now));
      return this.insertDsns(tx, dsns, now);
    });
  }

  private nextState(next: Settlement['message'], now: Date): Prisma.MessageUpdateManyMutationInput {
    return { status: next.status, nextAttemptAt: next.nextAttemptAt, leaseUntil: null, ...(next.delayNotified && { delayNotifiedAt: now }) };
  }

  private async fence(tx: Tx, claim: ClaimedMessage, data: Prisma.MessageUpdateManyMutationInput) {
    const fenced = await tx.message.updateMany({ where: { id: claim.id, status: 'sending', attempts: claim.attempts }, data: { ...data, updatedAt: new Date() } });
    if (fenced.count !== 1) throw new Error(`lost the lease on message ${claim.id} before recording its attempt`);
  }

  private async insertDsns(tx: Tx, dsns: NewDsn[], now: Date): Promise<string[]> {
    const ids: string[] = [];
    for (const dsn of dsns) {
      ids.push(await insertSystemMessage(tx, { ...dsn, kind: 'dsn', mailFrom: '' }, now));
    }
    return ids;
  }
}
