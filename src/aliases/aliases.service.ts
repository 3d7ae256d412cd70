import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { createClaimed } from '../common/name-claims.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type AliasCreateDto, type AliasListQuery, type AliasUpdateDto, aliasView, destinationDomains } from './aliases.dto.js';
import { AliasesRepository, type AliasRow } from './aliases.repository.js';

@Injectable()
export class AliasesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly aliases: AliasesRepository,
    private readonly domains: DomainsRepository,
    private readonly audit: AuditService,
  ) {}

  async create(caller: Caller, dto: AliasCreateDto) {
    const tenant = Tenant.of(caller);
    const domain = await this.domains.findByName(tenant, dto.source.domain);
    if (!domain) throw Problem.invalidField('source', 'unknown_domain', 'The source is not in one of your domains.');
    if (dto.destinations.includes(dto.source.address)) {
      throw Problem.invalidField('destinations', 'alias_loop', 'An alias cannot forward to itself.');
    }
    const alias = await this.prisma.$transaction(async (tx) => {
      const created = await createClaimed(tx, dto.source.address, 'aliasId', 'source', () =>
        this.aliases.create(tx, {
          domainId: domain.id, source: dto.source.address, destinations: dto.destinations, enabled: dto.enabled,
        }),
      );
      await this.audit.record(tx, caller, { action: 'alias.create', resellerId: domain.resellerId, target: created, after: audited(created) });
      return created;
    });
    return this.view(alias);
  }

  async get(caller: Caller, id: string) {
    const tenant = Tenant.of(caller);
    const alias = await this.aliases.find(tenant, id);
    if (!alias) throw Problem.notFound('alias');
    return this.view(alias);
  }

  async list(caller: Caller, query: AliasListQuery) {
    const page = await this.aliases.list(Tenant.of(caller), query);
    const owners = await this.domains.ownersOf(destinationDomains(page.items));
    return mapPage(page, (alias) => aliasView(alias, owners));
  }

  async update(caller: Caller, id: string, dto: AliasUpdateDto) {
    const tenant = Tenant.of(caller);
    const updated = await this.prisma.$transaction(async (tx) => {
      const alias = await this.aliases.find(tenant, id, tx);
      if (!alias) throw Problem.notFound('alias');
      if (dto.destinations?.includes(alias.source)) {
        throw Problem.invalidField('destinations', 'alias_loop', 'An alias cannot forward to itself.');
      }
      const after = await this.aliases.update(tx, id, dto);
      await this.audit.record(tx, caller, {
        action: 'alias.update', resellerId: alias.domain.resellerId, target: alias, before: audited(alias), after: audited(after),
      });
      return after;
    });
    return this.view(updated);
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const alias = await this.aliases.find(Tenant.of(caller), id, tx);
      if (!alias) throw Problem.notFound('alias');
      await this.aliases.delete(tx, id);
      await this.audit.record(tx, caller, { action: 'alias.delete', resellerId: alias.domain.resellerId, target: alias, before: audited(alias) });
    });
  }

  private async view(alias: AliasRow) {
    return aliasView(alias, await this.domains.ownersOf(destinationDomains([alias])));
  }
}

/** What the audit log keeps of an alias. */
function audited({ id, source, destinations, enabled }: AliasRow) {
  return { id, source, destinations, enabled };
}
