import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { createClaimed } from '../common/name-claims.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { DomainOwnership } from '../domains/domain-ownership.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type DomainAliasCreateDto, type DomainAliasListQuery, type DomainAliasUpdateDto, domainAliasView } from './domain-aliases.dto.js';
import { DomainAliasesRepository } from './domain-aliases.repository.js';

@Injectable()
export class DomainAliasesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly domainAliases: DomainAliasesRepository,
    private readonly domains: DomainsRepository,
    private readonly audit: AuditService,
    private readonly ownership: DomainOwnership,
  ) {}

  async create(caller: Caller, dto: DomainAliasCreateDto) {
    const target = await this.domains.find(Tenant.of(caller), dto.targetDomainId);
    if (!target) throw Problem.invalidField('targetDomainId', 'unknown_domain', 'There is no such domain among yours.');
    // The alias belongs to its target's tenant: that tenant's token proves it, as for a domain.
    const ownership = await this.ownership.start(target.resellerId, dto.aliasDomain, 'aliasDomain');
    return this.prisma.$transaction(async (tx) => {
      if (ownership.takeOver) await this.ownership.release(tx, caller, ownership.takeOver);
      const alias = await createClaimed(tx, dto.aliasDomain, 'domainAliasId', 'aliasDomain', () =>
        this.domainAliases.create(tx, {
          name: dto.aliasDomain, targetDomainId: target.id, verificationToken: ownership.token,
          ...(ownership.verified && { status: 'active' as const, verifiedAt: new Date() }),
        }),
      );
      const view = domainAliasView(alias);
      await this.audit.record(tx, caller, { action: 'domain_alias.create', resellerId: target.resellerId, target: alias, after: view });
      return view;
    });
  }

  /** PATCH `{status: active}`: only the platform may activate an alias whose ownership is not proven. */
  async update(caller: Caller, id: string, dto: DomainAliasUpdateDto) {
    return this.prisma.$transaction(async (tx) => {
      const alias = await this.domainAliases.find(Tenant.of(caller), id, tx);
      if (!alias) throw Problem.notFound('domain alias');
      if (dto.status !== 'active' || alias.status === 'active') return domainAliasView(alias);
      if (caller.resellerId !== null) {
        throw Problem.forbidden('domain_not_verified', 'Publish the verification record and verify the domain alias first.');
      }
      const updated = await this.domainAliases.markVerified(tx, id);
      // Verified (or deleted) by someone else meanwhile: nothing left to activate.
      if (!updated) return domainAliasView((await this.domainAliases.find(Tenant.of(caller), id, tx)) ?? alias);
      const before = domainAliasView(alias);
      const after = domainAliasView(updated);
      await this.audit.record(tx, caller, {
        action: 'domain_alias.activate_unverified', resellerId: alias.targetDomain.resellerId, target: alias, before, after,
      });
      return after;
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
