import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import {
  MAINTENANCE_QUEUE, MaintenanceJobs, PURGE_IDEMPOTENCY_EVERY_MS, PURGE_MESSAGE_BODIES_EVERY_MS,
} from '../src/maintenance/maintenance.queue.js';
import { MaintenanceService } from '../src/maintenance/maintenance.service.js';

@Processor(MAINTENANCE_QUEUE)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly maintenance: MaintenanceService,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  /** One schedule however many workers start: upserting a job scheduler is idempotent. */
  async onApplicationBootstrap() {
    const schedules = [
      [MaintenanceJobs.purgeIdempotencyKeys, PURGE_IDEMPOTENCY_EVERY_MS],
      [MaintenanceJobs.purgeMessageBodies, PURGE_MESSAGE_BODIES_EVERY_MS],
    ] as const;
    for (const [name, every] of schedules) await this.queue.upsertJobScheduler(name, { every }, { name });
  }

  async process(job: Job): Promise<{ purged: number }> {
    switch (job.name) {
      case MaintenanceJobs.purgeIdempotencyKeys: {
        const purged = await this.maintenance.purgeExpiredIdempotencyKeys();
        this.logger.log({ purged }, 'purged expired idempotency keys');
        return { purged };
      }
      case MaintenanceJobs.purgeMessageBodies: {
        const purged = await this.maintenance.purgeOldMessageBodies();
        this.logger.log({ purged }, 'purged the bodies of old final messages');
        return { purged };
      }
      default:
        throw new Error(`Unknown maintenance job ${job.name}`);
    }
  }
}
