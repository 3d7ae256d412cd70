import { BullModule } from '@nestjs/bullmq';

export const SENDING_MONITOR_QUEUE = 'sending-monitor';

export const SendingMonitorJobs = {
  /** Every mailbox that sent in the last hour (volume rules) or had recipients settle (bounce rate). */
  sweep: 'sweep',
  /** `{ mailboxId }`: the volume rules for one mailbox, asked for at acceptance (SendingCheckTrigger). */
  checkMailbox: 'check-mailbox',
} as const;

export interface CheckMailboxJobData {
  mailboxId: string;
}

export const sendingMonitorQueue = BullModule.registerQueue({ name: SENDING_MONITOR_QUEUE });
