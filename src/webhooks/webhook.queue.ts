import { BullModule } from '@nestjs/bullmq';

export const WEBHOOK_QUEUE = 'webhooks';

export const WebhookJobs = {
  /** `{ deliveryId }`, jobId = the outbox row id: one job per delivery, whatever schedules it. */
  deliver: 'deliver',
  reconcile: 'reconcile',
} as const;

export interface WebhookJobData {
  deliveryId: string;
}

export const webhookQueue = BullModule.registerQueue({ name: WEBHOOK_QUEUE });
