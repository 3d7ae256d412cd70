import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

const withDomain = { domain: { select: { name: true, resellerId: true } } } as const;
export type MailboxRow = Prisma.MailboxGetPayload<{ include: typeof withDomain }>;

@Injectable()
export class MailboxesRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<MailboxRow | null> {
    return tx.mailbox.findFirst({ where: { id, ...tenant.domainFilter() }, include: withDomain });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string; q?: string; domainId?: string }): Promise<Page<MailboxRow>> {
    const rows = await this.prisma.mailbox.findMany({
      where: {
        ...tenant.domainFilter(),
        ...(query.domainId && { domainId: query.domainId }),
        address: { ...(query.q && { startsWith: query.q }), ...(query.cursor && { gt: query.cursor }) },
      },
      include: withDomain,
      orderBy: { address: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.address);
  }

  create(tx: Tx, data: Prisma.MailboxUncheckedCreateInput): Promise<MailboxRow> {
    return tx.mailbox.create({ data, include: withDomain });
  }

  update(tx: Tx, id: string, data: Prisma.MailboxUncheckedUpdateInput): Promise<MailboxRow> {
    return tx.mailbox.update({ where: { id }, data, include: withDomain });
  }

  delete(tx: Tx, id: string): Promise<unknown> {
    return tx.mailbox.delete({ where: { id } });
  }
}
