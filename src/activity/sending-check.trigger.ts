import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, type Config } from '../config/config.js';
import type { SendReservation } from '../outbound/send-limits.service.js';
import { type CheckMailboxJobData, SENDING_MONITOR_QUEUE, SendingMonitorJobs, sendingMonitorQueue } from './sending-monitor.queue.js';
import { type Metric, checkpointCrossed, volumeFloors } from './sending-rules.js';

/**
 * Catches a spike within seconds rather than at the next sweep, at almost no cost to acceptance:
 * the send-limit counters already count the mailbox's current hour in Redis, so a message that
 * carries that count across a multiple of a rule's floor asks the worker to check the mailbox
 * (PostgreSQL, the baseline). Below the floors nothing happens; above, a few checks an hour.
 */
@Injectable()
export class SendingCheckTrigger {
  private readonly logger = new Logger(SendingCheckTrigger.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @InjectQueue(SENDING_MONITOR_QUEUE) private readonly queue: Queue<CheckMailboxJobData>,
  ) {}

  /** After the message is committed; a failure costs only the early check (the sweep still runs). */
  async accepted(mailboxId: string, reservation: SendReservation): Promise<void> {
    const floors = volumeFloors(this.config.SENDING_RULES);
    if (!floors) return;
    const crossed = (metric: Metric) => {
      const i = reservation.counters.findIndex((c) => c.key === `mailbox:${mailboxId}:${metric}:h`);
      const after = reservation.used[i];
      return i >= 0 && after !== undefined && checkpointCrossed(after - reservation.counters[i]!.increment, after, floors[metric]);
    };
    if (!crossed('messages') && !crossed('recipients')) return;
    await this.queue.add(SendingMonitorJobs.checkMailbox, { mailboxId }, { removeOnComplete: true, removeOnFail: true })
      .catch((error: unknown) => this.logger.warn({ mailboxId, err: error }, 'sending check not enqueued; the sweep will judge the mailbox'));
  }
}

/** The trigger alone, for the outgoing-mail API (the monitor itself runs in the worker). */
@Module({
  imports: [sendingMonitorQueue],
  providers: [SendingCheckTrigger],
  exports: [SendingCheckTrigger],
})
export class SendingCheckTriggerModule {}
