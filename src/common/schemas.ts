import { z } from 'zod';
import { normalizeDomain, parseAddress } from './names.js';

// Reusable request fields. Each failure carries a stable `code` in its params, which the
// validation pipe reports as the field error's code.
function refineName<T>(parse: (input: string) => T | { code: string; message: string }) {
  return z.string().max(1024).transform((input, ctx) => {
    const result = parse(input);
    if (result && typeof result === 'object' && 'code' in result) {
      ctx.addIssue({ code: 'custom', message: result.message, params: { code: result.code } });
      return z.NEVER;
    }
    return result as T;
  });
}

export const domainName = refineName(normalizeDomain).transform((d) => d.name);
export const emailAddress = refineName(parseAddress);
export const uuid = z.uuid({ error: 'must be an id (UUID)' });
export const displayText = (max: number) =>
  z.string().trim().max(max).regex(/^[^\p{Cc}]*$/u, { error: 'must not contain control characters' });

export const idParam = z.object({ id: uuid }).strict();

/** `?q=`: a case-insensitive prefix of a name or address. */
export const searchPrefix = z.string().max(254).regex(/^[^\p{Cc}%_\\]*$/u, { error: 'must be plain text' })
  .transform((s) => s.toLowerCase()).optional();
