import { z } from 'zod';
import { displayText, uuid } from '../common/schemas.js';
import type { MailboxAppPassword } from '../generated/prisma/client.js';

export const APP_PASSWORD_PROTOCOLS = ['imap', 'pop3', 'smtp'] as const;

export const AppPasswordCreateDto = z
  .object({
    name: displayText(100).min(1).describe('The device or program, e.g. "Phone".'),
    protocols: z.array(z.enum(APP_PASSWORD_PROTOCOLS)).max(APP_PASSWORD_PROTOCOLS.length).optional()
      .describe('Where it works; absent or empty: every protocol the mailbox may use.'),
  })
  .strict();
export type AppPasswordCreateDto = z.infer<typeof AppPasswordCreateDto>;

export const appPasswordParams = z.object({ id: uuid, appPasswordId: uuid }).strict();

/** The password itself is returned once, by the create; never the hash. */
export function appPasswordView(row: MailboxAppPassword) {
  return {
    id: row.id,
    mailboxId: row.mailboxId,
    name: row.name,
    protocols: row.protocols.length ? row.protocols : [...APP_PASSWORD_PROTOCOLS],
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
  };
}
