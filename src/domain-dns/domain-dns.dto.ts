import { z } from 'zod';

// A POST without a body asks for the default (an RSA key).
export const DkimRotateDto = z.preprocess(
  (body) => body ?? {},
  z.object({ algorithm: z.enum(['rsa', 'ed25519']).default('rsa').describe('ed25519 adds a second key (dual signing) the first time.') }).strict(),
);
export type DkimRotateDto = z.infer<typeof DkimRotateDto>;

// No query parameters: `?refresh=true` was removed when refreshing became a write (POST …/dns-check),
// and it answers 422 unknown_field rather than silently serving the stored check to a script
// that believes it asked DNS.
export const DnsCheckQuery = z.object({}).strict();
export type DnsCheckQuery = z.infer<typeof DnsCheckQuery>;
