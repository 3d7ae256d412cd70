import { z } from 'zod';
import { displayText } from '../common/schemas.js';
import { checkImportedHash } from '../passwords/hash-schemes.js';
import { DEFAULT_QUOTA_BYTES } from './mailboxes.dto.js';

export const MAX_IMPORT_ROWS = 1000;

// The shape is checked for the whole request; each row's meaning (address, domain, hash) is
// checked on its own and reported per row, so one bad row does not block a migration. The one
// exception is a hash too costly to verify: that is hostile input rather than a mistake, so it
// refuses the whole request (422, `hash_cost_too_high` at `mailboxes.N.passwordHash`) and
// nothing is imported.
const importedHash = z.string().max(1024).superRefine((hash, ctx) => {
  const check = checkImportedHash(hash);
  if ('code' in check && check.code === 'hash_cost_too_high') {
    ctx.addIssue({ code: 'custom', message: check.message, params: { code: check.code } });
  }
});

export const MailboxImportDto = z
  .object({
    mailboxes: z
      .array(
        z.object({
          address: z.string().max(1024),
          passwordHash: importedHash.describe('{BLF-CRYPT}, {SHA512-CRYPT}, {SHA256-CRYPT}, {ARGON2I} or {ARGON2ID}'),
          displayName: displayText(200).optional(),
          quotaBytes: z.int().min(1024 * 1024).max(2 ** 50).default(DEFAULT_QUOTA_BYTES),
          enabled: z.boolean().default(true),
        }).strict(),
      )
      .min(1)
      .max(MAX_IMPORT_ROWS),
  })
  .strict();
export type MailboxImportDto = z.infer<typeof MailboxImportDto>;
export type MailboxImportRow = MailboxImportDto['mailboxes'][number];

export type ImportResult =
  | { index: number; address: string; status: 'created' | 'exists'; id: string }
  | { index: number; address: string; status: 'failed'; code: string; message: string };
