import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { loadConfig } from '../../src/config/config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { CoreModule } from '../../src/core.module.js';
import { MAINTENANCE_QUEUE, MaintenanceJobs, PURGE_IDEMPOTENCY_EVERY_MS } from '../../src/maintenance/maintenance.queue.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { resetState } from '../support/api.js';
import { waitFor } from '../support/processes.js';

const HOUR_MS = 3_600_000;

// A real worker on real Redis: the maintenance queue's schedule and its job.
describe('maintenance worker', () => {
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let queue: Queue;

  const startWorker = () => NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig()), { logger: false });

  beforeAll(async () => {
    // Reset with a context that runs no processors, so no job is cut off mid-flight.
    const cleaner = await NestFactory.createApplicationContext({ module: class {}, imports: [ConfigModule.forRoot(loadConfig()), CoreModule] }, { logger: false });
    await resetState(cleaner);
    await cleaner.close();
    worker = await startWorker();
    prisma = worker.get(PrismaService);
    queue = worker.get(getQueueToken(MAINTENANCE_QUEUE));
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await worker?.close();
  });

  it('schedules the purge once, however many workers start', async () => {
    const second = await startWorker();
    const schedulers = await queue.getJobSchedulers();
    await second.close();
    expect(schedulers).toEqual([expect.objectContaining({ key: MaintenanceJobs.purgeIdempotencyKeys, every: PURGE_IDEMPOTENCY_EVERY_MS })]);
  });

  it('purges idempotency records older than the TTL and keeps the rest', async () => {
    await prisma.idempotentRequest.createMany({
      data: [
        { key: 'platform:old', requestHash: 'h', status: 201, createdAt: new Date(Date.now() - 25 * HOUR_MS) },
        { key: 'platform:fresh', requestHash: 'h', status: 201, createdAt: new Date(Date.now() - HOUR_MS) },
      ],
    });
    const job = await queue.add(MaintenanceJobs.purgeIdempotencyKeys, {});
    const result = await waitFor(async () => (await queue.getJob(job.id!))?.returnvalue);
    expect(result).toEqual({ purged: 1 });
    expect((await prisma.idempotentRequest.findMany()).map((r) => r.key)).toEqual(['platform:fresh']);
  });
});
