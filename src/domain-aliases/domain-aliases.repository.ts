import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

const withTarget = { targetDomain: { select: { name: true, resellerId: true } } } as const;
export type DomainAliasRow = Prisma.DomainAliasGetPayload<{ include: typeof withTarget }>;

@Injectable()
export class DomainAliasesRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<DomainAliasRow | null> {
    return tx.domainAlias.findFirst({ where: { id, targetDomain: tenant.ownerFilter() }, include: withTarget });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string; q?: string; targetDomainId?: string }): Promise<Page<DomainAliasRow>> {
    const rows = await this.prisma.domainAlias.findMany({
      where: {
        targetDomain: tenant.ownerFilter(),
        ...(query.targetDomainId && { targetDomainId: query.targetDomainId }),
        name: { ...(query.q && { startsWith: query.q }), ...(query.cursor && { gt: query.cursor }) },
      },
      include: withTarget,
      orderBy: { name: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.name);
  }

  create(tx: Tx, data: { name: string; targetDomainId: string }): Promise<DomainAliasRow> {
    return tx.domainAlias.create({ data, include: withTarget });
  }

  delete(tx: Tx, id: string): Promise<unknown> {
    return tx.domainAlias.delete({ where: { id } });
  }
}
