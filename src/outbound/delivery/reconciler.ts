import { Injectable, Logger } from '@nestjs/common';
import { DeliveryScheduler } from '../delivery-scheduler.js';
import { RECONCILE_GRACE_MS, RECONCILE_MAX_PER_RUN, RECONCILE_PAGE_SIZE } from './delivery.constants.js';
import { DeliveryRepository } from './delivery.repository.js';

export const RECONCILE_JOB = 'reconcile';
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * PostgreSQL is the record, Redis only the schedule: any message that should be running by now
 * but has no job (Redis lost its data, a schedule() after commit failed, a job exhausted its
 * retries) gets one again. A job that exists is left alone, so running this often is harmless.
 */
@Injectable()
export class OutboundReconciler {
  private readonly logger = new Logger(OutboundReconciler.name);

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly scheduler: DeliveryScheduler,
  ) {}

  async reconcile(): Promise<{ checked: number; enqueued: number }> {
    let checked = 0;
    let enqueued = 0;
    let after = FIRST_UUID;
    while (checked < RECONCILE_MAX_PER_RUN) {
      const page = await this.repository.overdue(after, RECONCILE_PAGE_SIZE, RECONCILE_GRACE_MS);
      for (const { id } of page) {
        if (await this.scheduler.isScheduled(id)) continue;
        await this.scheduler.schedule(id);
        enqueued++;
      }
      checked += page.length;
      if (page.length < RECONCILE_PAGE_SIZE) break;
      after = page.at(-1)!.id;
    }
    if (enqueued) this.logger.warn({ checked, enqueued }, 're-enqueued messages whose delivery job was missing');
    return { checked, enqueued };
  }
}
