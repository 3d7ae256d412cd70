import { z } from 'zod';
import { unicodeDomain } from '../common/names.js';
import { listQuery } from '../common/pagination.js';
import { displayText, emailAddress, searchPrefix, uuid } from '../common/schemas.js';
import type { Domain, Mailbox } from '../generated/prisma/client.js';
import { SendLimitsDto } from '../outbound/send-limits.js';
import { password } from '../passwords/password-policy.dto.js';

export const DEFAULT_QUOTA_BYTES = 1024 ** 3;
const MAX_QUOTA_BYTES = 2 ** 50;

const quotaBytes = z.number().int().min(1024 * 1024).max(MAX_QUOTA_BYTES);
const protocols = z.object({ imap: z.boolean(), pop3: z.boolean(), smtp: z.boolean() }).partial().strict();

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
    sendLimits: SendLimitsDto,
    sendingSuspended: z.boolean().describe('Suspends (true) or lifts (false) outgoing mail; waiting messages are held meanwhile.'),
    sendingSuspendedReason: displayText(500).nullable(),
    requireAppPasswords: z.boolean().describe('IMAP, POP3 and SMTP then accept only app passwords; needs the owner to have TOTP on.'),
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
    requireAppPasswords: mailbox.requireAppPasswords,
    sendLimits: mailbox.sendLimits,
    sending: {
      suspended: mailbox.sendingSuspendedAt !== null,
      suspendedAt: mailbox.sendingSuspendedAt,
      reason: mailbox.sendingSuspendedReason,
    },
    createdAt: mailbox.createdAt,
    updatedAt: mailbox.updatedAt,
  };
}

export const PasswordSetDto = z.object({ password }).strict();
export type PasswordSetDto = z.infer<typeof PasswordSetDto>;

export const PasswordChangeDto = z.object({ currentPassword: password, newPassword: password }).strict();
export type PasswordChangeDto = z.infer<typeof PasswordChangeDto>;
