import { Injectable } from '@nestjs/common';
import type { AuditEntry } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService } from '../prisma/prisma.service.js';

@Injectable()
export class AuditLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first. A reseller sees the entries about its own objects. */
  async list(
    tenant: Tenant,
    query: { limit: number; cursor?: string; action?: string; targetId?: string },
  ): Promise<Page<AuditEntry>> {
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        ...tenant.ownerFilter(),
        ...(query.action && { action: query.action }),
        ...(query.targetId && { targetId: query.targetId }),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      ...(query.cursor && { cursor: { id: query.cursor }, skip: 1 }),
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.id);
  }
}
