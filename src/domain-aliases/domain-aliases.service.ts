import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { createClaimed } from '../common/name-claims.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type DomainAliasCreateDto, type DomainAliasListQuery, domainAliasView } from './domain-aliases.dto.js';
import { DomainAliasesRepository } from './domain-aliases.repository.js';

@Injectable()
export class DomainAliasesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly domainAliases: DomainAliasesRepository,
    private readonly domains: DomainsRepository,
    private readonly audit: AuditService,
  ) {}

  async create(caller: Caller, dto: DomainAliasCreateDto) {
    const target = await this.domains.find(Tenant.of(caller), dto.targetDomainId);
    if (!target) throw Problem.invalidField('targetDomainId', 'unknown_domain', 'There is no such domain among yours.');
    return this.prisma.$transaction(async (tx) => {
      const alias = await createClaimed(tx, dto.aliasDomain, 'domainAliasId', 'aliasDomain', () =>
        this.domainAliases.create(tx, { name: dto.aliasDomain, targetDomainId: target.id }),
      );
      const view = domainAliasView(alias);
      await this.audit.record(tx, caller, { action: 'domain_alias.create', resellerId: target.resellerId, target: alias, after: view });
      return view;
    });
  }

  async get(caller: Caller, id: string) {
    const alias = await this.domainAliases.find(Tenant.of(caller), id);
    if (!alias) throw Problem.notFound('domain alias');
    return domainAliasView(alias);
  }

  async list(caller: Caller, query: DomainAliasListQuery) {
    return mapPage(await this.domainAliases.list(Tenant.of(caller), query), domainAliasView);
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const alias = await this.domainAliases.find(Tenant.of(caller), id, tx);
      if (!alias) throw Problem.notFound('domain alias');
      await this.domainAliases.delete(tx, id);
      await this.audit.record(tx, caller, {
        action: 'domain_alias.delete', resellerId: alias.targetDomain.resellerId, target: alias, before: domainAliasView(alias),
      });
    });
  }
}
