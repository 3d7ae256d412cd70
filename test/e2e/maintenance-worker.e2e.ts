import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { loadConfig } from '../../src/config/config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { CoreModule } from '../../src/core.module.js';
import {
  MAINTENANCE_QUEUE, MaintenanceJobs, PURGE_IDEMPOTENCY_EVERY_MS, PURGE_MESSAGE_BODIES_EVERY_MS,
} from '../../src/maintenance/maintenance.queue.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { resetState } from '../support/api.js';
import { waitFor } from '../support/processes.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

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

  it('schedules each purge once, however many workers start', async () => {
    const second = await startWorker();
    const schedulers = await queue.getJobSchedulers();
    await second.close();
    expect(schedulers).toHaveLength(2);
    expect(schedulers).toEqual(expect.arrayContaining([
      expect.objectContaining({ key: MaintenanceJobs.purgeIdempotencyKeys, every: PURGE_IDEMPOTENCY_EVERY_MS }),
      expect.objectContaining({ key: MaintenanceJobs.purgeMessageBodies, every: PURGE_MESSAGE_BODIES_EVERY_MS }),
    ]));
  });

  it('purges idempotency records older than the TTL and keeps the rest', async () => {
    await prisma.idempotentRequest.createMany({
      data: [
        { credential: 'api_key:k', key: 'old', requestHash: 'h', status: 201, createdAt: new Date(Date.now() - 25 * HOUR_MS) },
        { credential: 'api_key:k', key: 'fresh', requestHash: 'h', status: 201, createdAt: new Date(Date.now() - HOUR_MS) },
      ],
    });
    const job = await queue.add(MaintenanceJobs.purgeIdempotencyKeys, {});
    const result = await waitFor(async () => (await queue.getJob(job.id!))?.returnvalue);
    expect(result).toEqual({ purged: 1 });
    expect((await prisma.idempotentRequest.findMany()).map((r) => r.key)).toEqual(['fresh']);
  });

  it('empties the bodies of final messages older than MESSAGE_RETENTION_DAYS (30), keeping their records, and no others', async () => {
    const body = Buffer.from('Subject: kept or not\r\n\r\nhello\r\n');
    // [subject, status, became final (updated_at) this long ago]
    const cases = [
      ['old delivered', 'completed', 31 * DAY_MS], ['old cancelled', 'cancelled', 31 * DAY_MS],
      ['young delivered', 'completed', 29 * DAY_MS], ['old queued', 'queued', 31 * DAY_MS], ['old deferred', 'deferred', 31 * DAY_MS],
    ] as const;
    for (const [subject, status, age] of cases) {
      const message = await prisma.message.create({
        data: {
          subject, status, mailFrom: 'a@retention.test', fromHeader: 'a@retention.test', messageIdHeader: `<${subject.replace(' ', '.')}@retention.test>`,
          raw: body, size: body.length, expiresAt: new Date(), createdAt: new Date(Date.now() - age - DAY_MS),
          recipients: { create: { address: 'b@example.org', field: 'to', domain: 'example.org', status: status === 'completed' ? 'delivered' : 'queued' } },
        },
        include: { recipients: true },
      });
      await prisma.deliveryAttempt.create({ data: { messageId: message.id, recipientId: message.recipients[0].id, outcome: 'delivered', response: '250 ok' } });
      // Prisma sets updated_at itself on every write: put it in the past afterwards.
      await prisma.$executeRaw`UPDATE messages SET updated_at = ${new Date(Date.now() - age)} WHERE id = ${message.id}::uuid`;
    }

    const job = await queue.add(MaintenanceJobs.purgeMessageBodies, {});
    expect(await waitFor(async () => (await queue.getJob(job.id!))?.returnvalue)).toEqual({ purged: 2 });
    const rows = await prisma.message.findMany({ include: { recipients: true, attemptLog: true }, orderBy: { subject: 'asc' } });
    expect(rows.map((m) => [m.subject, m.raw.length, m.bodyPurgedAt !== null, m.size, m.recipients.length, m.attemptLog.length])).toEqual([
      ['old cancelled', 0, true, body.length, 1, 1],
      ['old deferred', body.length, false, body.length, 1, 1],
      ['old delivered', 0, true, body.length, 1, 1],
      ['old queued', body.length, false, body.length, 1, 1],
      ['young delivered', body.length, false, body.length, 1, 1],
    ]);
    // A second run finds nothing more to do.
    const again = await queue.add(MaintenanceJobs.purgeMessageBodies, {});
    expect(await waitFor(async () => (await queue.getJob(again.id!))?.returnvalue)).toEqual({ purged: 0 });
  });
});
