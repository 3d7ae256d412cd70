import { BullModule } from '@nestjs/bullmq';

export const MAIL_SERVICE_STATUS_QUEUE = 'mail-service-status';

export const MailServiceStatusJobs = {
  probe: 'probe-mail-services',
} as const;

export const mailServiceStatusQueue = BullModule.registerQueue({ name: MAIL_SERVICE_STATUS_QUEUE });
