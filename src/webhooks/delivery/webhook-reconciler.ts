import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '../../config/config.js';
import { WebhookScheduler } from '../webhook-scheduler.js';
import { WebhookDeliveryRepository } from './webhook-delivery.repository.js';

const FIRST_UUID = '00000000-0000-0000-0000-000000000000';
const RECONCILE_PAGE_SIZE = 500;
const RECONCILE_MAX_PER_RUN = 20_000;

/**
 * PostgreSQL is the outbox, Redis only the schedule: a delivery that should be running by now
 * but has no job (Redis lost its data, the commit's NOTIFY was missed while no worker listened,
 * a job exhausted its retries) gets one again. A job that exists is left alone.
 */
@Injectable()
export class WebhookReconciler {
  private readonly logger = new Logger(WebhookReconciler.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly repository: WebhookDeliveryRepository,
    private readonly scheduler: WebhookScheduler,
  ) {}

  async reconcile(): Promise<{ checked: number; enqueued: number }> {
    // Rows younger than a period are left to their NOTIFY: they are not missing yet.
    const graceMs = Math.min(this.config.WEBHOOK_RECONCILE_EVERY_MS, 5_000);
    let checked = 0;
    let enqueued = 0;
    let after = FIRST_UUID;
    while (checked < RECONCILE_MAX_PER_RUN) {
      const page = await this.repository.overdue(after, RECONCILE_PAGE_SIZE, graceMs);
      for (const { id } of page) {
        if (await this.scheduler.isScheduled(id)) continue;
        await this.scheduler.enqueue(id);
        enqueued++;
      }
      checked += page.length;
      if (page.length < RECONCILE_PAGE_SIZE) break;
      after = page.at(-1)!.id;
    }
    if (enqueued) this.logger.warn({ checked, enqueued }, 're-enqueued webhook deliveries whose job was missing');
    return { checked, enqueued };
  }
}
