import { Injectable } from '@nestjs/common';
import type { Prisma, User } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Login and reset: by address, across tenants (the address is unique platform-wide). */
  findByEmail(email: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  }

  findById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  find(tenant: Tenant, id: string): Promise<User | null> {
    return this.prisma.user.findFirst({ where: { id, ...tenant.ownerFilter() } });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string }): Promise<Page<User>> {
    const rows = await this.prisma.user.findMany({
      where: { ...tenant.ownerFilter(), ...(query.cursor && { id: { gt: query.cursor } }) },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.id);
  }

  create(tx: Tx, data: Prisma.UserUncheckedCreateInput): Promise<User> {
    return tx.user.create({ data: { ...data, email: data.email.toLowerCase() } });
  }

  update(tx: Tx, id: string, data: Prisma.UserUncheckedUpdateInput): Promise<User> {
    return tx.user.update({ where: { id }, data });
  }

  delete(tx: Tx, id: string): Promise<User> {
    return tx.user.delete({ where: { id } });
  }
}
