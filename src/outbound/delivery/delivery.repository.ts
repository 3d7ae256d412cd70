import { Injectable } from '@nestjs/common';
import { domainToASCII } from 'node:url';
import type { Prisma } from '../../generated/prisma/client.js';
import { PrismaService, type Tx } from '../../prisma/prisma.service.js';
import type { Settlement } from './settlement.js';

export interface ClaimedMessage {
  id: string;
  attempts: number;
  leaseUntil: Date;
}

export interface NewDsn {
  resellerId: string | null;
  to: string;
  from: string;
  subject: string;
  messageIdHeader: string;
  raw: Buffer;
  expiresAt: Date;
}

/** The only Prisma code of the delivery worker. Message state changes are fenced by the claim. */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The claim: one conditional UPDATE, so a claim and a cancel (or two workers) never both win.
   * A message is claimable when due, or when the worker that held it let its lease run out.
   * `attempts` is the fencing token: every later write names it.
   */
  async claim(id: string, leaseMs: number): Promise<ClaimedMessage | null> {
    const rows = await this.prisma.$queryRaw<ClaimedMessage[]>`
      UPDATE messages SET status = 'sending', lease_until = now() + ${leaseMs} * interval '1 millisecond',
        attempts = attempts + 1, updated_at = now()
      WHERE id = ${id}::uuid
        AND ((status IN ('queued', 'deferred') AND next_attempt_at <= now()) OR (status = 'sending' AND lease_until < now()))
      RETURNING id, attempts, lease_until AS "leaseUntil"`;
    return rows[0] ?? null;
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

  load(id: string) {
    return this.prisma.message.findUniqueOrThrow({
      where: { id },
      include: { recipients: { where: { status: { in: ['queued', 'deferred'] } }, orderBy: { address: 'asc' } } },
    });
  }

  async senderSuspended(mailboxId: string | null): Promise<boolean> {
    if (!mailboxId) return false;
    const mailbox = await this.prisma.mailbox.findUnique({ where: { id: mailboxId }, select: { sendingSuspendedAt: true } });
    return Boolean(mailbox?.sendingSuspendedAt);
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
    return this.prisma.$transaction(async (tx) => {
      await this.fence(tx, claim, next ? this.nextState(next, now) : {});
      await tx.deliveryAttempt.createMany({
        data: recipients.map(({ attempt: { recipientId, host, result } }) => ({
          messageId: claim.id, recipientId, attemptedAt: now, outcome: result.outcome, host,
          code: result.code, enhanced: result.enhanced, response: result.response, errorCode: result.errorCode,
        })),
      });
      for (const { attempt: { recipientId, result }, status, final } of recipients) {
        await tx.messageRecipient.update({
          where: { id: recipientId },
          data: {
            status, attempts: { increment: 1 }, lastAttemptAt: now, ...(final && { finalAt: now }),
            lastCode: result.code, lastEnhanced: result.enhanced, lastResponse: result.response,
          },
        });
      }
      return this.insertDsns(tx, dsns, now);
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
    for (const dsn of dsns) ids.push((await this.insertDsn(tx, dsn, now)).id);
    return ids;
  }

  private insertDsn(tx: Tx, dsn: NewDsn, now: Date) {
    const domain = domainToASCII(dsn.to.slice(dsn.to.lastIndexOf('@') + 1)) || dsn.to.slice(dsn.to.lastIndexOf('@') + 1).toLowerCase();
    return tx.message.create({
      data: {
        kind: 'dsn', resellerId: dsn.resellerId, mailFrom: '', fromHeader: dsn.from, subject: dsn.subject,
        messageIdHeader: dsn.messageIdHeader, raw: new Uint8Array(dsn.raw), size: dsn.raw.length, status: 'queued',
        nextAttemptAt: now, expiresAt: dsn.expiresAt,
        recipients: { create: [{ address: dsn.to, field: 'to', domain }] },
      },
      select: { id: true },
    });
  }
}
