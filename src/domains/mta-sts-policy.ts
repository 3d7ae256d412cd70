import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Domain, MtaStsMode } from '../generated/prisma/client.js';

// RFC 8461 §3.2: max_age is at most 31557600 s (a year); a week is a common starting value.
const MAX_AGE_LIMIT_SECONDS = 31_557_600;
const DEFAULT_MAX_AGE_SECONDS = 7 * 86_400;
export const MTA_STS_HOST_LABEL = 'mta-sts';
export const MTA_STS_POLICY_PATH = '/.well-known/mta-sts.txt';

export const MtaStsDto = z
  .object({
    mode: z.enum(['testing', 'enforce', 'none']).describe('`none` withdraws a published policy (RFC 8461 §8.3).'),
    maxAgeSeconds: z.number().int().min(1).max(MAX_AGE_LIMIT_SECONDS).default(DEFAULT_MAX_AGE_SECONDS),
  })
  .strict()
  .nullable()
  .describe('Host the MTA-STS policy for this domain; null opts out.');
export type MtaStsDto = z.infer<typeof MtaStsDto>;

type MtaStsColumns = Pick<Domain, 'mtaStsMode' | 'mtaStsMaxAge' | 'mtaStsPolicyId'>;

/**
 * The columns after a PATCH. The policy id (RFC 8461 §3.1, 1–32 alphanumerics) changes exactly
 * when the served policy does, so senders refetch it; the MX hosts are the platform's.
 */
export function mtaStsColumns(dto: MtaStsDto | undefined, domain: MtaStsColumns): Partial<MtaStsColumns> {
  if (dto === undefined) return {};
  if (dto === null) return { mtaStsMode: null, mtaStsMaxAge: null, mtaStsPolicyId: null };
  const unchanged = dto.mode === domain.mtaStsMode && dto.maxAgeSeconds === domain.mtaStsMaxAge;
  return unchanged ? {} : { mtaStsMode: dto.mode, mtaStsMaxAge: dto.maxAgeSeconds, mtaStsPolicyId: newPolicyId() };
}

function newPolicyId(now = new Date()): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14) + randomBytes(3).toString('hex');
}

/** The policy file (RFC 8461 §3.2), CRLF line ends. */
export function mtaStsPolicyText(mode: MtaStsMode, maxAgeSeconds: number, mxHosts: string[]): string {
  return ['version: STSv1', `mode: ${mode}`, ...mxHosts.map((mx) => `mx: ${mx}`), `max_age: ${maxAgeSeconds}`, ''].join('\r\n');
}

export function mtaStsView(domain: Domain & MtaStsColumns, webHost: string) {
  if (!domain.mtaStsMode) return null;
  return {
    mode: domain.mtaStsMode,
    maxAgeSeconds: domain.mtaStsMaxAge,
    policyId: domain.mtaStsPolicyId,
    policyUrl: `https://${MTA_STS_HOST_LABEL}.${domain.name}${MTA_STS_POLICY_PATH}`,
    records: [
      { type: 'TXT', name: `_mta-sts.${domain.name}`, value: `v=STSv1; id=${domain.mtaStsPolicyId}` },
      { type: 'CNAME', name: `${MTA_STS_HOST_LABEL}.${domain.name}`, value: `${webHost}.` },
    ],
  };
}
