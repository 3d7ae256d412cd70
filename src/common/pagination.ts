import { z } from 'zod';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// Cursors are opaque to clients: the base64url of the last item's sort key.
const cursor = z
  .string()
  .max(1024)
  .transform((value, ctx) => {
    const decoded = Buffer.from(value, 'base64url').toString('utf8');
    if (!decoded || Buffer.from(decoded, 'utf8').toString('base64url') !== value) {
      ctx.addIssue({ code: 'custom', message: 'This cursor was not issued by this API.', params: { code: 'invalid_cursor' } });
      return z.NEVER;
    }
    return decoded;
  });

export const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
    cursor: cursor.optional(),
  })
  .strict();

/** For lists ordered by a UUID primary key. */
export const uuidListQuery = listQuery.extend({
  cursor: cursor.pipe(z.uuid({ error: 'This cursor was not issued by this API.' })).optional(),
});

/** For lists ordered by (created_at, id), newest first: the cursor is `<created_at ISO>|<id>`. */
export const timeListQuery = listQuery.extend({
  cursor: cursor.pipe(
    z.string().transform((value, ctx) => {
      const [at, id] = value.split('|');
      const createdAt = new Date(at ?? '');
      if (!id || Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success) {
        ctx.addIssue({ code: 'custom', message: 'This cursor was not issued by this API.', params: { code: 'invalid_cursor' } });
        return z.NEVER;
      }
      return { createdAt, id };
    }),
  ).optional(),
});

export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? Buffer.from(keyOf(items.at(-1)!), 'utf8').toString('base64url') : null;
  return { items, nextCursor };
}

export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}
