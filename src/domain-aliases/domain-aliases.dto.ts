import { z } from 'zod';
import { unicodeDomain } from '../common/names.js';
import { listQuery } from '../common/pagination.js';
import { searchPrefix, uuid } from '../common/schemas.js';
import { hostedDomainName } from '../domains/domain-name-rules.js';
import type { Domain, DomainAlias } from '../generated/prisma/client.js';

export const DomainAliasCreateDto = z.object({ aliasDomain: hostedDomainName, targetDomainId: uuid }).strict();
export type DomainAliasCreateDto = z.infer<typeof DomainAliasCreateDto>;

export const DomainAliasListQuery = listQuery.extend({
  targetDomainId: uuid.optional(),
  q: searchPrefix.describe('Prefix of the alias domain'),
});
export type DomainAliasListQuery = z.infer<typeof DomainAliasListQuery>;

/** Mail to any address at `aliasDomain` is handled as the same address at the target domain. */
export function domainAliasView(alias: DomainAlias & { targetDomain: Pick<Domain, 'name'> }) {
  return {
    id: alias.id,
    aliasDomain: alias.name,
    unicodeAliasDomain: unicodeDomain(alias.name),
    targetDomainId: alias.targetDomainId,
    targetDomain: alias.targetDomain.name,
    createdAt: alias.createdAt,
  };
}
