import { z } from 'zod';
import { unicodeDomain } from '../common/names.js';
import { listQuery } from '../common/pagination.js';
import { displayText, emailAddress, searchPrefix, uuid } from '../common/schemas.js';
import type { Domain, Mailbox } from '../generated/prisma/client.js';

export const DEFAULT_QUOTA_BYTES = 1024 ** 3;
const MAX_QUOTA_BYTES = 2 ** 50;
// Bounds the work a request can cause; the password policy decides what is acceptable.
export const MAX_PASSWORD_LENGTH = 256;

const quotaBytes = z.number().int().min(1024 * 1024).max(MAX_QUOTA_BYTES);
const protocols = z.object({ imap: z.boolean(), pop3: z.boolean(), smtp: z.boolean() }).partial().strict();
export const password = z
  .string()
  .min(1)
  .max(MAX_PASSWORD_LENGTH)
  .regex(/^[^\p{Cc}]*$/u, { error: 'must not contain control characters' });

export const MailboxCreateDto = z
  .object({
    address: emailAddress,
    password,
    displayName: displayText(200).optional(),
    quotaBytes: quotaBytes.default(DEFAULT_QUOTA_BYTES),
    enabled: z.boolean().default(true),
    protocols: protocols.default({}),
  })
  .strict();
export type MailboxCreateDto = z.infer<typeof MailboxCreateDto>;

export const MailboxUpdateDto = z
  .object({
    displayName: displayText(200).nullable(),
    quotaBytes,
    enabled: z.boolean(),
    protocols,
  })
  .partial()
  .strict();
export type MailboxUpdateDto = z.infer<typeof MailboxUpdateDto>;

export const MailboxListQuery = listQuery.extend({
  domainId: uuid.optional(),
  q: searchPrefix.describe('Prefix of the address'),
});
export type MailboxListQuery = z.infer<typeof MailboxListQuery>;

/** The password hash is deliberately absent: no endpoint ever returns it. */
export function mailboxView(mailbox: Mailbox & { domain: Pick<Domain, 'name'> }) {
  return {
    id: mailbox.id,
    address: mailbox.address,
    unicodeAddress: `${mailbox.localPart}@${unicodeDomain(mailbox.domain.name)}`,
    domainId: mailbox.domainId,
    displayName: mailbox.displayName,
    quotaBytes: Number(mailbox.quotaBytes),
    enabled: mailbox.enabled,
    protocols: { imap: mailbox.imapEnabled, pop3: mailbox.pop3Enabled, smtp: mailbox.smtpEnabled },
    createdAt: mailbox.createdAt,
    updatedAt: mailbox.updatedAt,
  };
}
