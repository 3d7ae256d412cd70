import { type Message, type MessageRecipient, Prisma } from '../../generated/prisma/client.js';
import type { Settlement } from './settlement.js';

// The delivery worker's hot-path SQL, used by DeliveryRepository only. Plain SQL because every
// message passes through it once per try (see the repository's note).

/** A recipient still to be tried (queued or deferred). */
export type PendingRecipient = Pick<MessageRecipient, 'id' | 'address' | 'domain'>;
/** The message row and its pending recipients (ordered by address). */
export type DeliverableMessage = Message & { recipients: PendingRecipient[] };
/** A row selected with DELIVERABLE_MESSAGE, before toDeliverable(). */
export type DeliverableRow = Omit<DeliverableMessage, 'raw'> & { raw: string };

/**
 * The columns of a Message (as Prisma names them) and its pending recipients in address order,
 * selected from a messages row aliased `m`. Recipients come as one JSON array so the 10 KB body is
 * read once, not once per recipient row of a join. The body comes as base64: the pg adapter turns
 * a bytea into an array of numbers, one per byte, which costs more than the rest of the row.
 */
export const DELIVERABLE_MESSAGE = Prisma.raw(`
  m.id, m.kind::text AS kind, m.reseller_id AS "resellerId", m.domain_id AS "domainId", m.mailbox_id AS "mailboxId",
  m.mail_from AS "mailFrom", m.from_header AS "fromHeader", m.subject, m.message_id_header AS "messageIdHeader",
  encode(m.raw, 'base64') AS raw, m.size, m.status::text AS status, m.attempts, m.next_attempt_at AS "nextAttemptAt", m.lease_until AS "leaseUntil",
  m.delay_notified_at AS "delayNotifiedAt", m.expires_at AS "expiresAt", m.created_at AS "createdAt", m.updated_at AS "updatedAt",
  COALESCE((SELECT json_agg(json_build_object('id', r.id, 'address', r.address, 'domain', r.domain) ORDER BY r.address)
            FROM message_recipients r WHERE r.message_id = m.id AND r.status IN ('queued', 'deferred')), '[]') AS recipients`);

export function toDeliverable({ raw, ...row }: DeliverableRow): DeliverableMessage {
  return { ...row, raw: Buffer.from(raw, 'base64') };
}

/**
 * One destination domain's share of a try, as one statement (so one transaction): the fence on
 * the message (its state too, when `next` settles the try), an attempt row per recipient, and
 * each recipient's new state. Every write joins the fenced row, so a worker that lost its lease
 * writes nothing; the statement returns `fenced` = 1 when it held the lease.
 */
export function recordAttemptsSql(
  claim: { id: string; attempts: number }, recipients: Settlement['recipients'], now: Date, next?: Settlement['message'],
): Prisma.Sql {
  const outcomes = JSON.stringify(recipients.map(({ attempt: { recipientId, host, result }, status, final }) => ({
    recipientId, status, final, host, outcome: result.outcome, code: result.code, enhanced: result.enhanced,
    response: result.response, errorCode: result.errorCode,
  })));
  return Prisma.sql`
    WITH fenced AS (
      UPDATE messages SET ${next ? settledState(next, now) : Prisma.empty} updated_at = now()
      WHERE id = ${claim.id}::uuid AND status = 'sending' AND attempts = ${claim.attempts}
      RETURNING id),
    outcome AS (
      SELECT * FROM jsonb_to_recordset(${outcomes}::jsonb) AS o("recipientId" uuid, status "RecipientStatus", final boolean,
        host text, outcome text, code int, enhanced text, response text, "errorCode" text)),
    attempt AS (
      INSERT INTO delivery_attempts (id, message_id, recipient_id, attempted_at, outcome, host, code, enhanced, response, error_code)
      SELECT gen_random_uuid(), f.id, o."recipientId", ${now}::timestamptz, o.outcome, o.host, o.code, o.enhanced, o.response, o."errorCode"
      FROM fenced f CROSS JOIN outcome o),
    recipient AS (
      UPDATE message_recipients r SET status = o.status, attempts = r.attempts + 1, last_attempt_at = ${now}::timestamptz,
        final_at = CASE WHEN o.final THEN ${now}::timestamptz ELSE r.final_at END,
        last_code = o.code, last_enhanced = o.enhanced, last_response = o.response
      FROM fenced f, outcome o WHERE r.id = o."recipientId" AND r.message_id = f.id)
    SELECT count(*)::int AS fenced FROM fenced`;
}

/** The message's state after a settled try (the SET list, ending in a comma). */
function settledState(next: Settlement['message'], now: Date): Prisma.Sql {
  const delayNotified = next.delayNotified ? Prisma.sql`delay_notified_at = ${now}::timestamptz,` : Prisma.empty;
  return Prisma.sql`status = ${next.status}::"MessageStatus", next_attempt_at = ${next.nextAttemptAt}::timestamptz, lease_until = NULL, ${delayNotified}`;
}
