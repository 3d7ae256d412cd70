import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { type CheckMailboxJobData, SENDING_MONITOR_QUEUE, SendingMonitorJobs } from '../src/activity/sending-monitor.queue.js';
import { SendingMonitor } from '../src/activity/sending-monitor.service.js';
import { CONFIG, type Config } from '../src/config/config.js';

@Processor(SENDING_MONITOR_QUEUE)
export class SendingMonitorProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly monitor: SendingMonitor,
    @InjectQueue(SENDING_MONITOR_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  /** One schedule however many workers start: upserting a job scheduler is idempotent. */
  async onApplicationBootstrap() {
    await this.queue.upsertJobScheduler(SendingMonitorJobs.sweep, { every: this.config.SENDING_MONITOR_EVERY_MS }, { name: SendingMonitorJobs.sweep });
  }

  /** A failing database fails the job (BullMQ retries a check; the next sweep covers a sweep). */
  async process(job: Job) {
    if (job.name === SendingMonitorJobs.sweep) return this.monitor.sweep();
    if (job.name !== SendingMonitorJobs.checkMailbox) throw new UnrecoverableError(`Unknown sending-monitor job ${job.name}`);
    const { mailboxId } = job.data as CheckMailboxJobData;
    if (typeof mailboxId !== 'string') throw new UnrecoverableError('check-mailbox job without a mailboxId');
    return this.monitor.checkMailbox(mailboxId);
  }
}
