import { isIP } from 'node:net';
import { z } from 'zod';
import { listQuery } from '../common/pagination.js';
import { displayText, uuid } from '../common/schemas.js';
import type { LoginEvent } from '../generated/prisma/client.js';

export const ActivityQuery = listQuery.extend({
  mailboxId: uuid,
  cursor: listQuery.shape.cursor.unwrap().pipe(z.string().regex(/^\d{1,19}$/, { error: 'This cursor was not issued by this API.' })).optional(),
});
export type ActivityQuery = z.infer<typeof ActivityQuery>;

/** POST /v1/events: a login seen by another mail service (a webmail, a Postfix log shipper). */
export const LoginEventDto = z
  .object({
    type: z.literal('login'),
    login: z.string().trim().min(1).max(320).transform((s) => s.toLowerCase()),
    remoteIp: z.string().max(64).refine((ip) => isIP(ip) !== 0, { error: 'must be an IP address', params: { code: 'invalid_format' } }),
    protocol: z.string().regex(/^[a-z0-9_-]{1,32}$/, { error: 'must be a protocol name such as webmail or smtp' }),
    success: z.boolean(),
  })
  .strict();
export type LoginEventDto = z.infer<typeof LoginEventDto>;

export const LoginLockDto = z.object({ reason: displayText(500).min(1) }).strict();
export type LoginLockDto = z.infer<typeof LoginLockDto>;

export function loginEventView(event: LoginEvent) {
  return { at: event.occurredAt, remoteIp: event.remoteIp, protocol: event.protocol, result: event.result, source: event.source };
}
