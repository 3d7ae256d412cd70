import { z } from 'zod';
import { listQuery } from '../common/pagination.js';
import { displayText, searchPrefix, uuid } from '../common/schemas.js';
import { unicodeDomain } from '../common/names.js';
import type { Domain } from '../generated/prisma/client.js';
import type { DnsRecord } from '../settings-lookup/discovery-dns-records.js';
import type { DkimRecordView } from '../dkim/dkim-keys.service.js';
import { hostedDomainName } from './domain-name-rules.js';
import { MtaStsDto, mtaStsView } from './mta-sts-policy.js';
import { MailHostnamesDto, mailHostnamesView } from '../settings-lookup/hostname-overrides.js';
import { SendLimitsDto } from '../outbound/send-limits.js';

export const VERIFICATION_RECORD_PREFIX = '_postmaster-verify';

export const DomainCreateDto = z
  .object({
    name: hostedDomainName,
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
    sendLimits: SendLimitsDto.optional(),
    catchAllSenders: z.boolean().optional()
      .describe("Whether the mailboxes the domain's catch-all delivers to may send as any address of the domain that no mailbox or alias owns (mail programs, through Postfix)."),
    mtaSts: MtaStsDto.optional(),
  })
  .strict();
export type DomainUpdateDto = z.infer<typeof DomainUpdateDto>;

export const DomainListQuery = listQuery.extend({
  q: searchPrefix.describe('Prefix of the domain name (A-label form)'),
  status: z.enum(['pending_verification', 'active', 'disabled']).optional(),
});
export type DomainListQuery = z.infer<typeof DomainListQuery>;

/** What the representation derives from other tables and settings (not kept in the audit log). */
export interface DomainViewExtras {
  discoveryRecords: DnsRecord[];
  dkim: DkimRecordView[];
  /** The host the MTA-STS policy host name points at. */
  webHost: string;
}

/**
 * The stored domain; with `extras`, the API representation. The records are derived (from the
 * advertised endpoints and keys), so the audit log keeps the stored part only.
 */
export function domainView(domain: Domain, extras?: DomainViewExtras) {
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
    sendLimits: domain.sendLimits,
    catchAllSenders: domain.catchAllSenders,
    mtaSts: extras ? mtaStsView(domain, extras.webHost) : { mode: domain.mtaStsMode, maxAgeSeconds: domain.mtaStsMaxAge, policyId: domain.mtaStsPolicyId },
    ...(extras && { discoveryRecords: extras.discoveryRecords, dkim: extras.dkim }),
    createdAt: domain.createdAt,
    updatedAt: domain.updatedAt,
  };
}
