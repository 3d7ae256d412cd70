import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { INFRASTRUCTURE_RETRIES, INFRASTRUCTURE_RETRY_BASE_MS } from './delivery/delivery.constants.js';
import { type DeliverJobData, OUTBOUND_QUEUE, OutboundJobs } from './outbound.queue.js';

/**
 * Puts a message's delivery job on the queue. The database row is the truth; the job only says
 * "look at this message then", so every path (acceptance, retry-now, the reconciler) funnels here
 * and one message never has two jobs: jobId is the message id.
 */
@Injectable()
export class DeliveryScheduler {
  constructor(@InjectQueue(OUTBOUND_QUEUE) private readonly queue: Queue<DeliverJobData>) {}

  /** Due at `at` (default now). An existing waiting or delayed job is moved to the new time. */
  async schedule(messageId: string, at: Date = new Date()): Promise<void> {
    const delay = Math.max(0, at.getTime() - Date.now());
    const existing = await this.queue.getJob(messageId);
    const state = await existing?.getState();
    if (state === 'delayed') return existing!.changeDelay(delay);
    // An active job re-reads the row when it finishes its attempt; a waiting one runs soon anyway.
    if (state === 'active' || state === 'waiting' || state === 'prioritized') return;
    // Finished jobs are removed on completion; anything left over under this id is stale.
    if (existing) await existing.remove();
    await this.add(messageId, delay);
  }

  /** A message just committed has no job yet: one round trip instead of a look-up first. */
  async enqueue(messageId: string): Promise<void> {
    await this.add(messageId, 0);
  }

  /** Drops a job that has not started; a running attempt sees the row's new status when it claims. */
  async unschedule(messageId: string): Promise<void> {
    const job = await this.queue.getJob(messageId);
    const state = await job?.getState();
    if (state === 'delayed' || state === 'waiting' || state === 'prioritized') await job!.remove();
  }

  /** True when a job for the message exists in any state (the reconciler's question). */
  async isScheduled(messageId: string): Promise<boolean> {
    return (await this.queue.getJob(messageId)) !== undefined;
  }

  private async add(messageId: string, delay: number): Promise<void> {
    // attempts/backoff: a worker's infrastructure failure (PostgreSQL, Redis) is retried by BullMQ;
    // SMTP failures never reach the queue, they are recorded and rescheduled on the row.
    await this.queue.add(OutboundJobs.deliver, { messageId }, {
      jobId: messageId, delay, removeOnComplete: true, removeOnFail: true,
      attempts: INFRASTRUCTURE_RETRIES, backoff: { type: 'exponential', delay: INFRASTRUCTURE_RETRY_BASE_MS },
    });
  }
}
