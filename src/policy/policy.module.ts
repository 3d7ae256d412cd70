import { type DynamicModule, Module } from '@nestjs/common';
import { SendingCheckTriggerModule } from '../activity/sending-check.trigger.js';
import type { Config } from '../config/config.js';
import { ConfigModule } from '../config/config.module.js';
import { SendLimitsService } from '../outbound/send-limits.service.js';
import { PrismaModule } from '../prisma/prisma.module.js';
import { QueuesModule } from '../queues.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { MailDirectoryWatch } from './mail-directory-watch.js';
import { PolicyServer } from './policy.server.js';
import { PolicyService } from './policy.service.js';
import { PolicyRepository } from './policy.repository.js';

/**
 * The Postfix policy service as a process of its own (src/policy/main.ts): PostgreSQL, Redis and
 * the sending monitor's queue (to add checks, never to consume them), no HTTP server.
 */
@Module({
  imports: [PrismaModule, RedisModule, QueuesModule, SendingCheckTriggerModule],
  providers: [MailDirectoryWatch, PolicyRepository, SendLimitsService, PolicyService, PolicyServer],
})
export class PolicyModule {
  static forRoot(config: Config): DynamicModule {
    return { module: PolicyModule, imports: [ConfigModule.forRoot(config)] };
  }
}
