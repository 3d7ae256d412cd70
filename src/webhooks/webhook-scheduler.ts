import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { WEBHOOK_QUEUE, type WebhookJobData, WebhookJobs } from './webhook.queue.js';

// A worker's own failure (PostgreSQL, Redis) is retried by BullMQ; HTTP failures never reach the
// queue, they are recorded and rescheduled on the row.
const INFRASTRUCTURE_RETRIES = 5;
const INFRASTRUCTURE_RETRY_BASE_MS = 1_000;

/** Puts a delivery's job on the queue; the row is the truth, jobId its id, so duplicates collapse. */
@Injectable()
export class WebhookScheduler {
  constructor(@InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJobData>) {}

  async enqueue(deliveryId: string, at: Date = new Date()): Promise<void> {
    await this.queue.add(WebhookJobs.deliver, { deliveryId }, {
      jobId: deliveryId, delay: Math.max(0, at.getTime() - Date.now()), removeOnComplete: true, removeOnFail: true,
      attempts: INFRASTRUCTURE_RETRIES, backoff: { type: 'exponential', delay: INFRASTRUCTURE_RETRY_BASE_MS },
    });
  }

  async isScheduled(deliveryId: string): Promise<boolean> {
    return (await this.queue.getJob(deliveryId)) !== undefined;
  }
}
