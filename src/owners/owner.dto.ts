import { z } from 'zod';
import { listQuery } from '../common/pagination.js';

export const OwnMailboxUpdateDto = z
  .object({
    requireAppPasswords: z.boolean()
      .describe('IMAP, POP3 and SMTP then accept only app passwords (the main password opens only the dashboard); needs TOTP on.'),
  })
  .strict();
export type OwnMailboxUpdateDto = z.infer<typeof OwnMailboxUpdateDto>;

export const OwnActivityQuery = listQuery.extend({
  cursor: listQuery.shape.cursor.unwrap().pipe(z.string().regex(/^\d{1,19}$/, { error: 'This cursor was not issued by this API.' })).optional(),
});
export type OwnActivityQuery = z.infer<typeof OwnActivityQuery>;
