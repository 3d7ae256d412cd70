import { Injectable } from '@nestjs/common';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import type { Prisma, WebhookDeliveryStatus, WebhookEndpoint } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { OUTBOX_CHANNEL } from './webhook-events.service.js';

const withLog = { log: { orderBy: { attemptedAt: 'asc' } } } as const satisfies Prisma.WebhookDeliveryInclude;

@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<WebhookEndpoint | null> {
    return tx.webhookEndpoint.findFirst({ where: { id, ...tenant.ownerFilter() } });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string }): Promise<Page<WebhookEndpoint>> {
    const rows = await this.prisma.webhookEndpoint.findMany({
      where: { ...tenant.ownerFilter(), ...(query.cursor && { id: { gt: query.cursor } }) },
      orderBy: { id: 'asc' }, take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.id);
  }

  create(tx: Tx, data: Prisma.WebhookEndpointUncheckedCreateInput): Promise<WebhookEndpoint> {
    return tx.webhookEndpoint.create({ data });
  }

  update(tx: Tx, id: string, data: Prisma.WebhookEndpointUncheckedUpdateInput): Promise<WebhookEndpoint> {
    return tx.webhookEndpoint.update({ where: { id }, data });
  }

  delete(tx: Tx, id: string): Promise<unknown> {
    return tx.webhookEndpoint.delete({ where: { id } });
  }

  /** The endpoint's deliveries, newest first; the cursor is the last item's `createdAt|id`. */
  async deliveries(endpointId: string, query: { limit: number; cursor?: { createdAt: Date; id: string }; status?: WebhookDeliveryStatus }) {
    const rows = await this.prisma.webhookDelivery.findMany({
      where: {
        endpointId,
        ...(query.status && { status: query.status }),
        ...(query.cursor && {
          OR: [{ createdAt: { lt: query.cursor.createdAt } }, { createdAt: query.cursor.createdAt, id: { lt: query.cursor.id } }],
        }),
      },
      include: withLog, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => `${row.createdAt.toISOString()}|${row.id}`);
  }

  findDelivery(endpointId: string, id: string, tx: Tx = this.prisma) {
    return tx.webhookDelivery.findFirst({ where: { id, endpointId }, include: withLog });
  }

  /**
   * A finished delivery is due again now, with a fresh retry ladder and lifetime; the worker
   * hears of it at commit (the outbox's NOTIFY). Null when it is no longer finished.
   */
  async redeliver(tx: Tx, endpointId: string, id: string, lifetimeMs: number) {
    const { count } = await tx.webhookDelivery.updateMany({
      where: { id, endpointId, status: { in: ['delivered', 'failed'] } },
      data: {
        status: 'pending', attempts: 0, nextAttemptAt: new Date(), expiresAt: new Date(Date.now() + lifetimeMs),
        lastError: null, updatedAt: new Date(),
      },
    });
    if (count === 0) return null;
    await tx.$queryRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, ${id})::text AS notified`;
    return tx.webhookDelivery.findUniqueOrThrow({ where: { id }, include: withLog });
  }
}
