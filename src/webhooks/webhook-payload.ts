import { randomUUID } from 'node:crypto';
import { WEBHOOK_DATA_VERSION, type WebhookEventType } from './webhook-event-types.js';

// Fields that never leave Postmaster in a payload, whatever a caller passes in (as for the audit log).
const SECRET_FIELD = /password|secret|hash|token|^key$/i;

export interface WebhookEvent {
  id: string;
  resellerId: string | null;
  type: WebhookEventType;
  /** The exact body sent, signed and stored (the same bytes on every retry). */
  body: string;
}

/** An event with a new id, its body serialized once: the id is the body's and webhook-id's. */
export function webhookEvent(resellerId: string | null, type: WebhookEventType, data: object, now = new Date()): WebhookEvent {
  const id = randomUUID();
  const body = JSON.stringify({ id, type, version: WEBHOOK_DATA_VERSION, timestamp: now.toISOString(), resellerId, data }, (field, value) => {
    if (SECRET_FIELD.test(field)) return undefined;
    return typeof value === 'bigint' ? Number(value) : value;
  });
  return { id, resellerId, type, body };
}
