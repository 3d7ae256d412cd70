import { Injectable } from '@nestjs/common';
import type { ApiKey } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs before every authenticated request, so it is plain SQL on Prisma's pool: Prisma's client
   * costs more CPU than the query itself (bench/mailbox-get.mjs).
   */
  async findBySecretHash(secretHash: string): Promise<ApiKey | null> {
    const { rows } = await this.prisma.pool.query<ApiKey>(
      `SELECT id, name, reseller_id AS "resellerId", prefix, secret_hash AS "secretHash", scopes,
              read_only AS "readOnly", allowed_ips AS "allowedIps", expires_at AS "expiresAt",
              last_used_at AS "lastUsedAt", created_at AS "createdAt"
       FROM api_keys WHERE secret_hash = $1`, [secretHash]);
    return rows[0] ?? null;
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: now } });
  }

  find(tenant: Tenant, id: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findFirst({ where: { id, ...tenant.ownerFilter() } });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string }): Promise<Page<ApiKey>> {
    const rows = await this.prisma.apiKey.findMany({
      where: { ...tenant.ownerFilter(), ...(query.cursor && { id: { gt: query.cursor } }) },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.id);
  }

  create(tx: Tx, data: Omit<ApiKey, 'id' | 'createdAt' | 'lastUsedAt'>): Promise<ApiKey> {
    return tx.apiKey.create({ data });
  }

  delete(tx: Tx, id: string): Promise<ApiKey> {
    return tx.apiKey.delete({ where: { id } });
  }
}
