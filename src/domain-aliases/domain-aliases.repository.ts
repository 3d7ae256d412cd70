import { Injectable } from '@nestjs/common';
import type { DomainAlias, DomainStatus, Prisma } from '../generated/prisma/client.js';
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

  async list(
    tenant: Tenant, query: { limit: number; cursor?: string; q?: string; targetDomainId?: string; status?: DomainStatus },
  ): Promise<Page<DomainAliasRow>> {
    const rows = await this.prisma.domainAlias.findMany({
      where: {
        targetDomain: tenant.ownerFilter(),
        ...(query.targetDomainId && { targetDomainId: query.targetDomainId }),
        ...(query.status && { status: query.status }),
        name: { ...(query.q && { startsWith: query.q }), ...(query.cursor && { gt: query.cursor }) },
      },
      include: withTarget,
      orderBy: { name: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.name);
  }

  create(
    tx: Tx, data: Pick<DomainAlias, 'name' | 'targetDomainId' | 'verificationToken'> & Partial<Pick<DomainAlias, 'status' | 'verifiedAt'>>,
  ): Promise<DomainAliasRow> {
    return tx.domainAlias.create({ data, include: withTarget });
  }

  /** Pending aliases of every tenant (the worker acts for the platform), longest waiting first. */
  pending(limit: number): Promise<DomainAliasRow[]> {
    return this.prisma.domainAlias.findMany({
      where: { status: 'pending_verification', verifiedAt: null }, include: withTarget, take: limit, orderBy: { pendingSince: 'asc' },
    });
  }

  /** Verified (or activated by the platform) now; null if that happened or it was deleted meanwhile. */
  async markVerified(tx: Tx, id: string): Promise<DomainAliasRow | null> {
    const { count } = await tx.domainAlias.updateMany({ where: { id, verifiedAt: null }, data: { verifiedAt: new Date(), status: 'active' } });
    return count === 0 ? null : tx.domainAlias.findUniqueOrThrow({ where: { id }, include: withTarget });
  }

  async deleteUnverified(tx: Tx, id: string): Promise<boolean> {
    const { count } = await tx.domainAlias.deleteMany({ where: { id, verifiedAt: null, status: 'pending_verification' } });
    return count === 1;
  }

  delete(tx: Tx, id: string): Promise<unknown> {
    return tx.domainAlias.delete({ where: { id } });
  }
}
