import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import type { PrismaService, Tx } from '../prisma/prisma.service.js';
import { type SettledRecipient, messageOutcomeEvents, sendingSuspendedData } from './webhook-event-data.js';
import type { WebhookEventType } from './webhook-event-types.js';
import { type WebhookEvent, webhookEvent } from './webhook-payload.js';

/** The PostgreSQL channel on which committed outbox rows are announced (webhook-outbox.listener.ts). */
export const OUTBOX_CHANNEL = 'webhook_outbox';

/**
 * The outbox. Services that own a change call emit() inside the transaction that makes it: one
 * delivery row per subscribed endpoint is written with the change, or neither is. NOTIFY inside
 * a transaction is delivered only at its commit (and never after a rollback), so the worker's
 * listener enqueues each delivery exactly when it exists; the reconciler covers a missed notice.
 */
@Injectable()
export class WebhookEvents {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** One event of `tenant` (null: the platform). Returns the event id. */
  async emit(tx: Tx | PrismaService, tenant: string | null, type: WebhookEventType, data: object): Promise<string> {
    const event = webhookEvent(tenant, type, data);
    await this.write(tx, [event]);
    return event.id;
  }

  /** Several events in one statement (a delivery try settles many recipients at once). */
  async emitMany(tx: Tx | PrismaService, events: WebhookEvent[]): Promise<void> {
    if (events.length) await this.write(tx, events);
  }

  /** `mailbox.sending_suspended`, read from the row as the transaction now sees it. */
  async emitSendingSuspended(tx: Tx, tenant: string | null, mailboxId: string): Promise<void> {
    const mailbox = await tx.mailbox.findUniqueOrThrow({ where: { id: mailboxId }, select: { id: true, address: true, sendingSuspendedReason: true, sendingSuspendedAt: true } });
    await this.emit(tx, tenant, 'mailbox.sending_suspended', sendingSuspendedData(mailbox));
  }

  /** One event per settled recipient of a delivery try, for the message's tenant. */
  async emitMessageOutcomes(tx: Tx, messageId: string, attempt: number, recipients: SettledRecipient[]): Promise<void> {
    const [owner] = await tx.$queryRaw<{ resellerId: string | null }[]>`SELECT reseller_id AS "resellerId" FROM messages WHERE id = ${messageId}::uuid`;
    await this.emitMany(tx, messageOutcomeEvents(owner?.resellerId ?? null, messageId, attempt, recipients));
  }

  /**
   * Fans each event out to the enabled endpoints that want it: the tenant's own and the
   * platform's (which see every tenant). An endpoint added later does not get earlier events.
   */
  async write(tx: Tx | PrismaService, events: WebhookEvent[], endpointId: string | null = null): Promise<string[]> {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `WITH ev AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, "resellerId" uuid, type text, body text)),
       ins AS (
         INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body, next_attempt_at, expires_at)
         SELECT gen_random_uuid(), e.id, ev.id, ev.type, ev.body, now(), now() + $2 * interval '1 millisecond'
         FROM ev JOIN webhook_endpoints e ON
           CASE WHEN $3::uuid IS NULL
             THEN e.enabled AND (e.reseller_id IS NULL OR e.reseller_id = ev."resellerId")
               AND (cardinality(e.events) = 0 OR ev.type = ANY(e.events))
             ELSE e.id = $3::uuid END
         RETURNING id)
       SELECT id, pg_notify('${OUTBOX_CHANNEL}', id::text)::text AS notified FROM ins`,
      JSON.stringify(events), this.config.WEBHOOK_MAX_LIFETIME_MS, endpointId,
    );
    return rows.map((r) => r.id);
  }
}
