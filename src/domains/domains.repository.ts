import { Injectable } from '@nestjs/common';
import type { Domain, DomainStatus, Prisma } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import type { HostnameColumns } from '../settings-lookup/hostname-overrides.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

@Injectable()
export class DomainsRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<Domain | null> {
    return tx.domain.findFirst({ where: { id, ...tenant.ownerFilter() } });
  }

  findByName(tenant: Tenant, name: string, tx: Tx = this.prisma): Promise<Domain | null> {
    return tx.domain.findFirst({ where: { name, ...tenant.ownerFilter() } });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string; q?: string; status?: DomainStatus }): Promise<Page<Domain>> {
    const rows = await this.prisma.domain.findMany({
      where: {
        ...tenant.ownerFilter(),
        ...(query.status && { status: query.status }),
        name: { ...(query.q && { startsWith: query.q }), ...(query.cursor && { gt: query.cursor }) },
      },
      orderBy: { name: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.name);
  }

  create(tx: Tx, data: Pick<Domain, 'name' | 'resellerId' | 'description' | 'verificationToken'> & Partial<Pick<Domain, 'status' | 'verifiedAt'>>): Promise<Domain> {
    return tx.domain.create({ data });
  }

  update(
    tx: Tx, id: string,
    data: Partial<Pick<Domain, 'description' | 'status' | 'verifiedAt' | 'catchAllSenders' | 'mtaStsMode' | 'mtaStsMaxAge' | 'mtaStsPolicyId' | keyof HostnameColumns>> & { sendLimits?: Prisma.InputJsonValue | typeof Prisma.DbNull },
  ): Promise<Domain> {
    return tx.domain.update({ where: { id }, data });
  }

  delete(tx: Tx, id: string): Promise<Domain> {
    return tx.domain.delete({ where: { id } });
  }

  async contents(tx: Tx, id: string): Promise<{ mailboxes: number; aliases: number }> {
    const mailboxes = await tx.mailbox.count({ where: { domainId: id } });
    const aliases = await tx.alias.count({ where: { domainId: id } });
    return { mailboxes, aliases };
  }

  /** The owning reseller (null: the platform) of each hosted domain or domain alias among `names`. */
  async ownersOf(names: string[]): Promise<Map<string, string | null>> {
    const domains = await this.prisma.domain.findMany({ where: { name: { in: names } }, select: { name: true, resellerId: true } });
    const aliases = await this.prisma.domainAlias.findMany({
      where: { name: { in: names } }, select: { name: true, targetDomain: { select: { resellerId: true } } },
    });
    return new Map([
      ...domains.map((d) => [d.name, d.resellerId] as const),
      ...aliases.map((a) => [a.name, a.targetDomain.resellerId] as const),
    ]);
  }
}
