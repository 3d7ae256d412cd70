import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

const withDomain = { domain: { select: { name: true, resellerId: true } } } as const;
export type AliasRow = Prisma.AliasGetPayload<{ include: typeof withDomain }>;

@Injectable()
export class AliasesRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<AliasRow | null> {
    return tx.alias.findFirst({ where: { id, ...tenant.domainFilter() }, include: withDomain });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string; q?: string; domainId?: string }): Promise<Page<AliasRow>> {
    const rows = await this.prisma.alias.findMany({
      where: {
        ...tenant.domainFilter(),
        ...(query.domainId && { domainId: query.domainId }),
        source: { ...(query.q && { startsWith: query.q }), ...(query.cursor && { gt: query.cursor }) },
      },
      include: withDomain,
      orderBy: { source: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.source);
  }

  create(tx: Tx, data: Prisma.AliasUncheckedCreateInput): Promise<AliasRow> {
    return tx.alias.create({ data, include: withDomain });
  }

  update(tx: Tx, id: string, data: Prisma.AliasUncheckedUpdateInput): Promise<AliasRow> {
    return tx.alias.update({ where: { id }, data, include: withDomain });
  }

  delete(tx: Tx, id: string): Promise<unknown> {
    return tx.alias.delete({ where: { id } });
  }
}
