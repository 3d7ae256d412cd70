import { z } from 'zod';
import { listQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { uuid } from '../common/schemas.js';
import { toFieldErrors } from '../common/validation.js';

const MAX_ADDRESS_ENTRY_LENGTH = 1000;
const MAX_HEADER_VALUE_LENGTH = 998; // RFC 5322 §2.1.1, one line
const MAX_CUSTOM_HEADERS = 50;
const MAX_ATTACHMENTS = 100;

// Headers the API writes itself (addresses, identity, MIME structure) or that only servers add.
const RESERVED_HEADERS = new Set([
  'from', 'sender', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'message-id', 'date', 'mime-version',
  'content-type', 'content-transfer-encoding', 'dkim-signature', 'arc-seal', 'arc-message-signature',
  'arc-authentication-results', 'authentication-results', 'received', 'return-path', 'received-spf',
  'resent-from', 'resent-sender', 'resent-to', 'resent-cc', 'resent-bcc', 'resent-date', 'resent-message-id',
]);
// RFC 5322 §2.2: printable US-ASCII except the colon.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]{1,76}$/;

const addressEntry = z.string().min(1).max(MAX_ADDRESS_ENTRY_LENGTH);
const addressList = z.array(addressEntry).max(10_000).default([]);
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

// Key problems are reported per key (a record's own key issues would say only "invalid key").
const customHeaders = z.record(z.string(), z.string().max(MAX_HEADER_VALUE_LENGTH)).superRefine((headers, ctx) => {
  const names = Object.keys(headers);
  if (names.length > MAX_CUSTOM_HEADERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_CUSTOM_HEADERS} headers`, params: { code: 'too_big' } });
  for (const name of names) {
    if (!FIELD_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a header field name', params: { code: 'invalid_format' } });
    else if (RESERVED_HEADERS.has(name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'This header is set by the API and cannot be given.', params: { code: 'header_not_allowed' } });
    }
  }
});

const attachment = z.object({
  filename: z.string().min(1).max(255),
  content: z.string().regex(BASE64, { error: 'must be base64' }).describe('The file, base64-encoded.'),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'must be a MIME type' }).max(255).optional(),
  cid: z.string().regex(/^[\x21-\x7e]{1,200}$/).optional().describe('Content-ID, for images the HTML refers to as cid:…'),
}).strict();

export const MessageSendDto = z
  .object({
    from: addressEntry.describe('One of your mailboxes, or any address of one of your active domains: "Name <address>" or an address.'),
    to: addressList,
    cc: addressList,
    bcc: addressList,
    replyTo: addressEntry.optional(),
    subject: z.string().max(MAX_HEADER_VALUE_LENGTH).optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    headers: customHeaders.default({}),
    attachments: z.array(attachment).max(MAX_ATTACHMENTS).default([]),
  })
  .strict();
export type MessageSendDto = z.infer<typeof MessageSendDto>;

export type MessageInput = { kind: 'json'; dto: MessageSendDto } | { kind: 'raw'; bytes: Buffer };

/** The body of POST /v1/messages: raw bytes (message/rfc822) as they are, JSON validated. */
export const messageBody = {
  transform(body: unknown): MessageInput {
    if (Buffer.isBuffer(body)) return { kind: 'raw', bytes: body };
    const result = MessageSendDto.safeParse(body);
    if (!result.success) throw Problem.invalid(toFieldErrors(result.error.issues));
    return { kind: 'json', dto: result.data };
  },
};

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const MessageListQuery = listQuery.extend({
  status: z.enum(['queued', 'sending', 'deferred', 'held', 'completed', 'cancelled']).optional(),
  mailboxId: uuid.optional(),
  domainId: uuid.optional(),
  since: instant.optional().describe('Created at or after (ISO 8601)'),
  until: instant.optional().describe('Created before (ISO 8601)'),
});
export type MessageListQuery = z.infer<typeof MessageListQuery>;
