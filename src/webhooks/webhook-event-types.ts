import { z } from 'zod';

// The events tenants subscribe to, and the `data` of each (version 1). These schemas are the
// documentation (the OpenAPI document's `webhooks`, built in webhook-openapi.ts) and the tests'
// check of what arrives; a change that breaks a receiver is a new version, never an edit.
export const WEBHOOK_DATA_VERSION = 1;

const at = z.iso.datetime();
const id = z.uuid();

const smtpReply = z.object({
  code: z.number().int().nullable().describe('The SMTP reply code; null when no server answered'),
  enhanced: z.string().nullable().describe('The enhanced status code (RFC 3463), e.g. 5.1.1'),
  response: z.string().describe('The reply text, or the connection error'),
});
const messageOutcome = z.object({
  messageId: id,
  recipient: z.string().describe('The envelope recipient'),
  status: z.enum(['delivered', 'deferred', 'bounced']),
  attempt: z.number().int().describe('Which try of the message this was (1 = the first)'),
  host: z.string().nullable().describe('The server that answered'),
  smtp: smtpReply,
});
const alert = z.object({
  id, resellerId: id.nullable(), domainId: id.nullable(), mailboxId: id.nullable(), rule: z.string(),
  severity: z.enum(['info', 'warning', 'critical']), state: z.enum(['open', 'acknowledged', 'resolved']),
  summary: z.string(), createdAt: at, resolvedAt: at.nullable(),
});
const mailbox = z.object({
  id, address: z.string(), domainId: id, displayName: z.string().nullable(), quotaBytes: z.number().int(), enabled: z.boolean(),
  protocols: z.object({ imap: z.boolean(), pop3: z.boolean(), smtp: z.boolean() }),
  sending: z.object({ suspended: z.boolean(), suspendedAt: at.nullable(), reason: z.string().nullable() }),
});
const dnsFinding = z.object({
  status: z.enum(['ok', 'missing', 'wrong']).nullable().describe('null: the record was not checked before'),
  found: z.array(z.string()),
});

export const WEBHOOK_EVENTS = {
  'message.delivered': messageOutcome.describe('A recipient accepted the message.'),
  'message.deferred': messageOutcome.describe('A recipient failed temporarily; the message is tried again.'),
  'message.bounced': messageOutcome.describe('A recipient failed for good (permanent reply, or retries exhausted).'),
  'alert.raised': z.object({ alert }).describe('A new alert opened (login attacks, sending spikes, DNS, webhooks).'),
  'alert.resolved': z.object({ alert }).describe('An alert was resolved.'),
  'domain.verified': z.object({ domain: z.object({ id, name: z.string(), verifiedAt: at }) }).describe('Domain ownership was proven.'),
  'dns_check.changed': z.object({
    domainId: id, domain: z.string(),
    record: z.object({ type: z.string(), name: z.string() }),
    from: dnsFinding, to: dnsFinding,
  }).describe('One record of a domain\'s DNS check changed verdict.'),
  'mailbox.created': z.object({ mailbox }).describe('A mailbox was created.'),
  'mailbox.updated': z.object({ mailbox, previous: mailbox }).describe('A mailbox was changed.'),
  'mailbox.deleted': z.object({ mailbox }).describe('A mailbox was deleted.'),
  'mailbox.sending_suspended': z.object({
    mailboxId: id, address: z.string(), reason: z.string().nullable(), suspendedAt: at,
  }).describe('Outgoing mail of a mailbox was suspended (by an admin or the sending monitor).'),
  'login.blocked': z.object({
    mailboxId: id.nullable(), address: z.string().nullable(), ip: z.string().nullable(), rule: z.string(), until: at.nullable(),
  }).describe('Logins were blocked (an IP or an account) after an attack was detected.'),
  'webhook.test': z.object({ endpointId: id, message: z.string() }).describe('Sent by POST /v1/webhooks/{id}/test only.'),
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
/** The types an endpoint may subscribe to (the test event always reaches the endpoint it is sent to). */
export const SUBSCRIBABLE_EVENTS = Object.keys(WEBHOOK_EVENTS).filter((t) => t !== 'webhook.test') as WebhookEventType[];

/** The envelope of every event: what `webhook-id` names and what the body holds around `data`. */
export const webhookEnvelope = (type: string, data: z.ZodType) => z.object({
  id: id.describe('The event id, also sent as webhook-id: the same on every retry'),
  type: z.literal(type),
  version: z.literal(WEBHOOK_DATA_VERSION).describe('The version of `data`'),
  timestamp: at,
  resellerId: id.nullable().describe('The tenant the event belongs to; null: the platform'),
  data,
});
