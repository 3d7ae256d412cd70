import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { RedisModule } from './redis/redis.module.js';

/** What every process needs: PostgreSQL, Redis and the audit log. Configuration comes from the entrypoint. */
@Module({ imports: [PrismaModule, RedisModule, AuditModule] })
export class CoreModule {}
