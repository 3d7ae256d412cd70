import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { ConfigModule } from './config/config.module.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { RedisModule } from './redis/redis.module.js';

/** What both processes need: configuration, PostgreSQL, Redis and the audit log. */
@Module({ imports: [ConfigModule, PrismaModule, RedisModule, AuditModule] })
export class CoreModule {}
