import { normalizeDomain } from '../common/names.js';
import type { MessageKind } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';

/** Mail Postmaster writes itself: a DSN to a sender, an alert to a tenant. One recipient, no mailbox. */
export interface SystemMessage {
  id?: string;
  kind: Exclude<MessageKind, 'message'>;
  resellerId: string | null;
  /** The envelope sender; "" (the null reverse-path) for a DSN, which must never be bounced. */
  mailFrom: string;
  fromHeader: string;
  to: string;
  subject: string;
  messageIdHeader: string;
  raw: Buffer;
  expiresAt: Date;
}

/** Queued on the same outgoing path as any message, due `at`; returns its id for scheduling. */
export async function insertSystemMessage(tx: Tx, m: SystemMessage, at: Date = new Date()): Promise<string> {
  const domainPart = m.to.slice(m.to.lastIndexOf('@') + 1);
  const normalized = normalizeDomain(domainPart);
  const domain = 'name' in normalized ? normalized.name : domainPart.toLowerCase();
  const row = await tx.message.create({
    data: {
      ...(m.id && { id: m.id }), kind: m.kind, resellerId: m.resellerId, mailFrom: m.mailFrom, fromHeader: m.fromHeader,
      subject: m.subject, messageIdHeader: m.messageIdHeader, raw: new Uint8Array(m.raw), size: m.raw.length, status: 'queued',
      nextAttemptAt: at, expiresAt: m.expiresAt,
      recipients: { create: [{ address: m.to, field: 'to', domain }] },
    },
    select: { id: true },
  });
  return row.id;
}
