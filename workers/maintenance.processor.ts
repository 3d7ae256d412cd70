import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { MAINTENANCE_QUEUE, MaintenanceJobs, PURGE_IDEMPOTENCY_EVERY_MS } from '../src/maintenance/maintenance.queue.js';
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
    await this.queue.upsertJobScheduler(
      MaintenanceJobs.purgeIdempotencyKeys,
      { every: PURGE_IDEMPOTENCY_EVERY_MS },
      { name: MaintenanceJobs.purgeIdempotencyKeys },
    );
  }

  async process(job: Job): Promise<{ purged: number }> {
    if (job.name !== MaintenanceJobs.purgeIdempotencyKeys) throw new Error(`Unknown maintenance job ${job.name}`);
    const purged = await this.maintenance.purgeExpiredIdempotencyKeys();
    this.logger.log({ purged }, 'purged expired idempotency keys');
    return { purged };
  }
}
