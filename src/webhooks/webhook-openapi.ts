import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { WEBHOOK_EVENTS, webhookEnvelope } from './webhook-event-types.js';

const SIGNATURE_HEADERS = {
  'webhook-id': { required: true, schema: { type: 'string' }, description: 'The event id: the same on every retry (de-duplicate on it)' },
  'webhook-timestamp': { required: true, schema: { type: 'string' }, description: 'Seconds since the epoch, when this attempt was signed' },
  'webhook-signature': {
    required: true, schema: { type: 'string' },
    description: 'Standard Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64 part of the `whsec_` secret; during a rotation two, space-separated',
  },
};

/**
 * The events as OpenAPI 3.1 `webhooks` (what Postmaster POSTs to an endpoint) and each event's
 * body under components.schemas (`WebhookEvent_<type>`), from the same zod schemas the tests check.
 */
export function addWebhooksToDocument(document: OpenAPIObject): OpenAPIObject {
  const schemas: Record<string, unknown> = {};
  const webhooks: Record<string, unknown> = {};
  for (const [type, data] of Object.entries(WEBHOOK_EVENTS)) {
    const name = `WebhookEvent_${type.replace(/\./g, '_')}`;
    const { $schema: _, ...schema } = z.toJSONSchema(webhookEnvelope(type, data), { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
    schemas[name] = { ...schema, description: data.description };
    webhooks[type] = {
      post: {
        summary: data.description,
        tags: ['webhooks'],
        parameters: Object.entries(SIGNATURE_HEADERS).map(([header, spec]) => ({ name: header, in: 'header', ...spec })),
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } },
        responses: {
          '2XX': { description: 'Delivered' },
          '410': { description: 'Gone: final, no retries (as every 4xx except 429)' },
          '429': { description: 'Retried, honouring Retry-After' },
          '5XX': { description: 'Retried with a jittered exponential backoff for about three days' },
        },
      },
    };
  }
  const components = document.components ?? {};
  return { ...document, components: { ...components, schemas: { ...(components.schemas ?? {}), ...schemas } as never }, webhooks } as OpenAPIObject;
}
