import { z } from 'zod';
import { type Address, normalizeDomain, parseAddress } from '../common/names.js';
import { listQuery } from '../common/pagination.js';
import { emailAddress, searchPrefix, uuid } from '../common/schemas.js';
import type { AliasRow } from './aliases.repository.js';

export const MAX_DESTINATIONS = 100;

/** `name@example.com`, or `@example.com` for the domain's catch-all. */
const aliasSource = z.string().max(256).transform((input, ctx) => {
  const parsed: Address | { code: string; message: string } = input.startsWith('@')
    ? (() => {
        const domain = normalizeDomain(input.slice(1));
        return 'name' in domain ? { localPart: '', domain: domain.name, address: `@${domain.name}` } : domain;
      })()
    : parseAddress(input);
  if ('code' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.message, params: { code: parsed.code } });
    return z.NEVER;
  }
  return parsed;
});

const destinations = z
  .array(emailAddress)
  .min(1)
  .max(MAX_DESTINATIONS)
  .transform((list) => [...new Set(list.map((d) => d.address))]);

export const AliasCreateDto = z
  .object({ source: aliasSource, destinations, enabled: z.boolean().default(true) })
  .strict();
export type AliasCreateDto = z.infer<typeof AliasCreateDto>;

export const AliasUpdateDto = z.object({ destinations, enabled: z.boolean() }).partial().strict();
export type AliasUpdateDto = z.infer<typeof AliasUpdateDto>;

export const AliasListQuery = listQuery.extend({
  domainId: uuid.optional(),
  q: searchPrefix.describe('Prefix of the source address'),
});
export type AliasListQuery = z.infer<typeof AliasListQuery>;

/**
 * `external` lists the destinations outside the alias owner's own domains: those are forwarded
 * as ordinary outgoing mail, even when the platform happens to host that domain for another
 * tenant, so one tenant's alias never reaches into another's mailboxes.
 */
export function aliasView(alias: AliasRow, domainOwners: Map<string, string | null>) {
  const isOwn = (address: string) => {
    const domain = address.slice(address.lastIndexOf('@') + 1);
    return domainOwners.has(domain) && domainOwners.get(domain) === alias.domain.resellerId;
  };
  return {
    id: alias.id,
    source: alias.source,
    catchAll: alias.source.startsWith('@'),
    domainId: alias.domainId,
    destinations: alias.destinations,
    external: alias.destinations.filter((d) => !isOwn(d)),
    enabled: alias.enabled,
    createdAt: alias.createdAt,
    updatedAt: alias.updatedAt,
  };
}

export function destinationDomains(aliases: AliasRow[]): string[] {
  return [...new Set(aliases.flatMap((a) => a.destinations.map((d) => d.slice(d.lastIndexOf('@') + 1))))];
}
