import { z } from 'zod';

// A POST without a body asks for the default (an RSA key).
export const DkimRotateDto = z.preprocess(
  (body) => body ?? {},
  z.object({ algorithm: z.enum(['rsa', 'ed25519']).default('rsa').describe('ed25519 adds a second key (dual signing) the first time.') }).strict(),
);
export type DkimRotateDto = z.infer<typeof DkimRotateDto>;

export const DnsCheckQuery = z
  .object({ refresh: z.enum(['true', 'false']).transform((v) => v === 'true').default(false).describe('Ask DNS now instead of answering from the last check.') })
  .strict();
export type DnsCheckQuery = z.infer<typeof DnsCheckQuery>;
