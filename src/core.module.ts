import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { DnsModule } from './dns/dns.module.js';
import { NetModule } from './net/net.module.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { RedisModule } from './redis/redis.module.js';
import { WebhookEventsModule } from './webhooks/webhook-events.module.js';

/**
 * What every process needs: PostgreSQL, Redis, DNS (and where connections may go), the audit log
 * and the webhook outbox (changes anywhere emit events). Configuration comes from the entrypoint.
 */
@Module({ imports: [PrismaModule, RedisModule, DnsModule, NetModule, AuditModule, WebhookEventsModule] })
export class CoreModule {}
