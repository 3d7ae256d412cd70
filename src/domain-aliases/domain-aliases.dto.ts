import { z } from 'zod';
import { unicodeDomain } from '../common/names.js';
import { listQuery } from '../common/pagination.js';
import { searchPrefix, uuid } from '../common/schemas.js';
import { hostedDomainName } from '../domains/domain-name-rules.js';
import { VERIFICATION_RECORD_PREFIX } from '../domains/domains.dto.js';
import type { Domain, DomainAlias } from '../generated/prisma/client.js';

export const DomainAliasCreateDto = z.object({ aliasDomain: hostedDomainName, targetDomainId: uuid }).strict();
export type DomainAliasCreateDto = z.infer<typeof DomainAliasCreateDto>;

export const DomainAliasListQuery = listQuery.extend({
  targetDomainId: uuid.optional(),
  q: searchPrefix.describe('Prefix of the alias domain'),
  status: z.enum(['pending_verification', 'active']).optional(),
});
export type DomainAliasListQuery = z.infer<typeof DomainAliasListQuery>;

export const DomainAliasUpdateDto = z
  .object({
    status: z.literal('active').describe('Platform admins only: activate an alias whose ownership is not proven (audited).'),
  })
  .strict();
export type DomainAliasUpdateDto = z.infer<typeof DomainAliasUpdateDto>;

/**
 * Mail to any address at `aliasDomain` is handled as the same address at the target domain, once
 * the alias is `active`: proven by its own TXT record, as a domain is.
 */
export function domainAliasView(alias: DomainAlias & { targetDomain: Pick<Domain, 'name'> }) {
  return {
    id: alias.id,
    aliasDomain: alias.name,
    unicodeAliasDomain: unicodeDomain(alias.name),
    targetDomainId: alias.targetDomainId,
    targetDomain: alias.targetDomain.name,
    status: alias.status,
    verification: {
      type: 'TXT',
      name: `${VERIFICATION_RECORD_PREFIX}.${alias.name}`,
      value: `postmaster-verify=${alias.verificationToken}`,
      verifiedAt: alias.verifiedAt,
    },
    createdAt: alias.createdAt,
  };
}
