import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CONFIG, type Config } from './config/config.js';

/** BullMQ's connection, shared by queues (both processes) and workers (worker process only). */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [CONFIG],
      useFactory: (config: Config) => ({
        connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
        prefix: config.REDIS_KEY_PREFIX.replace(/:$/, '') || 'pm',
      }),
    }),
  ],
})
export class QueuesModule {}
