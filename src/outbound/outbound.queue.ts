import { BullModule } from '@nestjs/bullmq';

export const OUTBOUND_QUEUE = 'outbound';

export const OutboundJobs = {
  /** `{ messageId }`, jobId = the message id: one job per message, whatever schedules it. */
  deliver: 'deliver',
} as const;

export interface DeliverJobData {
  messageId: string;
}

export const outboundQueue = BullModule.registerQueue({ name: OUTBOUND_QUEUE });
