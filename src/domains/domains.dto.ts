import { z } from 'zod';
import { listQuery } from '../common/pagination.js';
import { displayText, domainName, searchPrefix, uuid } from '../common/schemas.js';
import { unicodeDomain } from '../common/names.js';
import type { Domain } from '../generated/prisma/client.js';
import type { DnsRecord } from '../settings-lookup/discovery-dns-records.js';
import { MailHostnamesDto, mailHostnamesView } from '../settings-lookup/hostname-overrides.js';

export const VERIFICATION_RECORD_PREFIX = '_postmaster-verify';

export const DomainCreateDto = z
  .object({
    name: domainName,
    resellerId: uuid.optional().describe('Platform admins only: the reseller that owns the domain.'),
    description: displayText(500).optional(),
  })
  .strict();
export type DomainCreateDto = z.infer<typeof DomainCreateDto>;

export const DomainUpdateDto = z
  .object({
    description: displayText(500).nullable().optional(),
    status: z.enum(['active', 'disabled']).optional()
      .describe('Resellers may disable a domain and re-enable a verified one; platform admins may also activate an unverified one.'),
    mailHostnames: MailHostnamesDto.optional(),
  })
  .strict();
export type DomainUpdateDto = z.infer<typeof DomainUpdateDto>;

export const DomainListQuery = listQuery.extend({
  q: searchPrefix.describe('Prefix of the domain name (A-label form)'),
  status: z.enum(['pending_verification', 'active', 'disabled']).optional(),
});
export type DomainListQuery = z.infer<typeof DomainListQuery>;

/**
 * The stored domain; with `discoveryRecords`, the API representation. The records are derived
 * (from the advertised endpoints), so the audit log keeps the stored part only.
 */
export function domainView(domain: Domain, discoveryRecords?: DnsRecord[]) {
  return {
    id: domain.id,
    name: domain.name,
    unicodeName: unicodeDomain(domain.name),
    resellerId: domain.resellerId,
    status: domain.status,
    description: domain.description,
    verification: {
      type: 'TXT',
      name: `${VERIFICATION_RECORD_PREFIX}.${domain.name}`,
      value: `postmaster-verify=${domain.verificationToken}`,
      verifiedAt: domain.verifiedAt,
    },
    mailHostnames: mailHostnamesView(domain),
    ...(discoveryRecords && { discoveryRecords }),
    createdAt: domain.createdAt,
    updatedAt: domain.updatedAt,
  };
}
