import { z } from 'zod';
import { timeListQuery, uuidListQuery } from '../common/pagination.js';
import { displayText, uuid } from '../common/schemas.js';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client.js';
import { SUBSCRIBABLE_EVENTS } from './webhook-event-types.js';

const MAX_URL_CHARS = 2048;

/** http(s) only, no credentials in it (they would be logged and shown back), no fragment. */
const webhookUrl = z.string().max(MAX_URL_CHARS).transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute https:// URL', params: { code: 'invalid_url' } });
    return z.NEVER;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: 'must be an https:// URL', params: { code: 'invalid_url' } });
    return z.NEVER;
  }
  if (url.username || url.password || url.hash) {
    ctx.addIssue({ code: 'custom', message: 'must not hold credentials or a #fragment', params: { code: 'invalid_url' } });
    return z.NEVER;
  }
  return url.href;
}).describe('https:// (http:// only to hosts inside PRIVATE_DESTINATIONS_ALLOWED)');

const eventList = z.array(z.enum(SUBSCRIBABLE_EVENTS as [string, ...string[]])).max(SUBSCRIBABLE_EVENTS.length)
  .transform((events) => [...new Set(events)].sort())
  .describe('The event types wanted; empty: every type');

export const WebhookCreateDto = z.object({
  url: webhookUrl,
  events: eventList.default([]),
  description: displayText(500).optional(),
  enabled: z.boolean().default(true),
}).strict();
export type WebhookCreateDto = z.infer<typeof WebhookCreateDto>;

export const WebhookUpdateDto = z.object({
  url: webhookUrl.optional(),
  events: eventList.optional(),
  description: displayText(500).nullable().optional(),
  enabled: z.boolean().optional().describe('true again after a disabling: the failure run starts over'),
}).strict();
export type WebhookUpdateDto = z.infer<typeof WebhookUpdateDto>;

export const WebhookListQuery = uuidListQuery;
export type WebhookListQuery = z.infer<typeof WebhookListQuery>;

export const WebhookDeliveryListQuery = timeListQuery.extend({
  status: z.enum(['pending', 'delivering', 'delivered', 'failed']).optional(),
});
export type WebhookDeliveryListQuery = z.infer<typeof WebhookDeliveryListQuery>;

export const deliveryParams = z.object({ id: uuid, deliveryId: uuid }).strict();

export function webhookView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    resellerId: endpoint.resellerId,
    url: endpoint.url,
    description: endpoint.description,
    events: endpoint.events,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    failingSince: endpoint.failingSince,
    previousSecretValidUntil: endpoint.previousSecretUntil && endpoint.previousSecretUntil > new Date() ? endpoint.previousSecretUntil : null,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

export function deliveryView(delivery: WebhookDelivery & { log: WebhookAttempt[] }) {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.log.map((a) => ({
      at: a.attemptedAt, statusCode: a.statusCode, error: a.error, latencyMs: a.latencyMs, response: a.response,
    })),
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt : null,
    lastError: delivery.lastError,
    payload: JSON.parse(delivery.body) as unknown,
    createdAt: delivery.createdAt,
  };
}
