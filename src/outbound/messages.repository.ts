import { Injectable } from '@nestjs/common';
import type { MessageStatus, Prisma } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { Recipient } from './message-addresses.js';

/** Who may send as an address: its domain (in the caller's tenant) and the mailbox, if there is one. */
export interface SenderRow {
  domainId: string;
  resellerId: string | null;
  domainActive: boolean;
  domainLimits: unknown;
  mailboxId: string | null;
  mailboxEnabled: boolean | null;
  mailboxSmtp: boolean | null;
  suspendedAt: Date | null;
  mailboxLimits: unknown;
}

export interface NewMessage {
  id: string;
  resellerId: string | null;
  domainId: string;
  mailboxId: string | null;
  mailFrom: string;
  fromHeader: string;
  subject: string | null;
  messageIdHeader: string;
  raw: Buffer;
  recipients: Recipient[];
  lifetimeMs: number;
}

const summary = {
  id: true, kind: true, resellerId: true, domainId: true, mailboxId: true, mailFrom: true, fromHeader: true, subject: true,
  messageIdHeader: true, size: true, status: true, attempts: true, nextAttemptAt: true, expiresAt: true, createdAt: true, updatedAt: true,
  bodyPurgedAt: true,
} as const satisfies Prisma.MessageSelect;
export type MessageSummary = Prisma.MessageGetPayload<{ select: typeof summary }>;

const detail = {
  ...summary,
  recipients: { orderBy: { address: 'asc' }, include: { attemptLog: { orderBy: { attemptedAt: 'asc' } } } },
} as const satisfies Prisma.MessageSelect;
export type MessageDetail = Prisma.MessageGetPayload<{ select: typeof detail }>;

@Injectable()
export class MessagesRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findSender(tenant: Tenant, address: string, domain: string): Promise<SenderRow | null> {
    const { rows } = await this.prisma.pool.query<SenderRow>(
      `SELECT d.id AS "domainId", d.reseller_id AS "resellerId", d.status = 'active' AS "domainActive",
              d.send_limits AS "domainLimits", m.id AS "mailboxId", m.enabled AS "mailboxEnabled",
              m.smtp_enabled AS "mailboxSmtp", m.sending_suspended_at AS "suspendedAt", m.send_limits AS "mailboxLimits"
       FROM domains d LEFT JOIN mailboxes m ON m.domain_id = d.id AND m.address = $1
       WHERE d.name = $2 AND ($3::uuid IS NULL OR d.reseller_id = $3::uuid)`,
      [address, domain, tenant.resellerId]);
    return rows[0] ?? null;
  }

  /**
   * The hot path of POST /v1/messages: the message and its recipients in one statement (so one
   * round trip and one commit), in plain SQL on Prisma's pool because Prisma's client would cost
   * more than the insert (bench/messages-accept.mjs).
   */
  async insert(m: NewMessage): Promise<void> {
    await this.prisma.pool.query(
      `WITH message AS (
         INSERT INTO messages (id, kind, reseller_id, domain_id, mailbox_id, mail_from, from_header, subject,
                               message_id_header, raw, size, status, next_attempt_at, expires_at, updated_at)
         VALUES ($1::uuid, 'message', $2::uuid, $3::uuid, $4::uuid, $5, $6, $7, $8, $9::bytea, $10::int, 'queued', now(),
                 now() + $11::bigint * interval '1 millisecond', now())
         RETURNING id)
       INSERT INTO message_recipients (id, message_id, address, field, domain)
       SELECT gen_random_uuid(), message.id, r.address, r.field, r.domain
       FROM message, unnest($12::text[], $13::text[], $14::text[]) WITH ORDINALITY AS r(address, field, domain, n)
       ORDER BY r.n`,
      [m.id, m.resellerId, m.domainId, m.mailboxId, m.mailFrom, m.fromHeader, m.subject, m.messageIdHeader, m.raw, m.raw.length,
        m.lifetimeMs, m.recipients.map((r) => r.address), m.recipients.map((r) => r.field), m.recipients.map((r) => r.domain)]);
  }

  async list(tenant: Tenant, query: {
    limit: number; after?: { createdAt: Date; id: string }; status?: MessageStatus; mailboxId?: string; domainId?: string; since?: Date; until?: Date;
  }): Promise<Page<MessageSummary>> {
    const { after } = query;
    const rows = await this.prisma.message.findMany({
      where: {
        ...tenant.ownerFilter(),
        ...(query.status && { status: query.status }),
        ...(query.mailboxId && { mailboxId: query.mailboxId }),
        ...(query.domainId && { domainId: query.domainId }),
        createdAt: { ...(query.since && { gte: query.since }), ...(query.until && { lt: query.until }) },
        ...(after && { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }),
      },
      select: summary,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => `${row.createdAt.toISOString()}|${row.id}`);
  }

  find(tenant: Tenant, id: string): Promise<MessageDetail | null> {
    return this.prisma.message.findFirst({ where: { id, ...tenant.ownerFilter() }, select: detail });
  }

  stateOf(tenant: Tenant, id: string): Promise<{ status: MessageStatus; bodyPurgedAt: Date | null } | null> {
    return this.prisma.message.findFirst({ where: { id, ...tenant.ownerFilter() }, select: { status: true, bodyPurgedAt: true } });
  }

  /**
   * Deferred recipients due now. Conditional on the status a worker claims from, so a retry and
   * a claim never both win: whichever updates the row first decides.
   */
  async retryNow(tenant: Tenant, id: string): Promise<boolean> {
    const updated = await this.prisma.$executeRaw`
      UPDATE messages SET status = 'queued', next_attempt_at = now(), updated_at = now()
      WHERE id = ${id}::uuid AND (${tenant.resellerId}::uuid IS NULL OR reseller_id = ${tenant.resellerId}::uuid)
        AND status IN ('queued', 'deferred') AND body_purged_at IS NULL
        AND EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = messages.id AND r.status = 'deferred')`;
    return updated === 1;
  }

  /**
   * Every pending recipient cancelled and the message final, in one statement. A message a
   * worker holds (`sending`) is left alone; one with deliveries already made ends `completed`.
   */
  async cancel(tenant: Tenant, id: string): Promise<MessageStatus | null> {
    const rows = await this.prisma.$queryRaw<{ status: MessageStatus }[]>`
      WITH message AS (
        UPDATE messages SET
          status = CASE WHEN EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = messages.id AND r.status = 'delivered')
                        THEN 'completed'::"MessageStatus" ELSE 'cancelled'::"MessageStatus" END,
          next_attempt_at = NULL, updated_at = now()
        WHERE id = ${id}::uuid AND (${tenant.resellerId}::uuid IS NULL OR reseller_id = ${tenant.resellerId}::uuid)
          AND status IN ('queued', 'deferred', 'held')
        RETURNING id, status),
      recipients AS (
        UPDATE message_recipients SET status = 'cancelled', final_at = now()
        WHERE message_id IN (SELECT id FROM message) AND status IN ('queued', 'deferred'))
      SELECT status::text AS status FROM message`;
    return rows[0]?.status ?? null;
  }
}
