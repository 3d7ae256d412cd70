import { Injectable } from '@nestjs/common';
import type { Reseller } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { HostnameColumns } from '../settings-lookup/hostname-overrides.js';

export interface ResellerUsage {
  domains: number;
  mailboxes: number;
  storageBytes: bigint;
}

// Resellers are the tenants themselves; only platform admins reach this repository's lists.
@Injectable()
export class ResellersRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(id: string): Promise<Reseller | null> {
    return this.prisma.reseller.findUnique({ where: { id } });
  }

  async list(query: { limit: number; cursor?: string }): Promise<Page<Reseller>> {
    const rows = await this.prisma.reseller.findMany({
      where: query.cursor ? { id: { gt: query.cursor } } : {},
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.id);
  }

  create(tx: Tx, data: Pick<Reseller, 'name' | 'maxDomains' | 'maxMailboxes' | 'notificationEmail'> & { maxStorageBytes: bigint | null }) {
    return tx.reseller.create({ data });
  }

  update(tx: Tx, id: string, data: Partial<Pick<Reseller, 'name' | 'maxDomains' | 'maxMailboxes' | 'maxStorageBytes' | 'notificationEmail' | keyof HostnameColumns>>) {
    return tx.reseller.update({ where: { id }, data });
  }

  delete(tx: Tx, id: string) {
    return tx.reseller.delete({ where: { id } });
  }

  /**
   * Locks the reseller's row until the transaction ends and returns it with its usage, so that
   * concurrent creations are serialized and a limit cannot be exceeded by racing requests.
   */
  async lockWithUsage(tx: Tx, id: string): Promise<{ reseller: Reseller; usage: ResellerUsage } | null> {
    await tx.$queryRaw`SELECT id FROM resellers WHERE id = ${id}::uuid FOR UPDATE`;
    const reseller = await tx.reseller.findUnique({ where: { id } });
    if (!reseller) return null;
    const domains = await tx.domain.count({ where: { resellerId: id } });
    const mailboxes = await tx.mailbox.aggregate({
      where: { domain: { resellerId: id } }, _count: true, _sum: { quotaBytes: true },
    });
    return { reseller, usage: { domains, mailboxes: mailboxes._count, storageBytes: mailboxes._sum.quotaBytes ?? 0n } };
  }
}
