import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job, type Queue, UnrecoverableError } from 'bullmq';
import { CONFIG, type Config } from '../src/config/config.js';
import { WebhookDeliveryService } from '../src/webhooks/delivery/webhook-delivery.service.js';
import { WebhookReconciler } from '../src/webhooks/delivery/webhook-reconciler.js';
import { WEBHOOK_QUEUE, type WebhookJobData, WebhookJobs } from '../src/webhooks/webhook.queue.js';

// A short lock: a worker killed mid-attempt hands its job on within seconds (the delivery's own
// lease in PostgreSQL decides when it may be tried again).
const JOB_LOCK_MS = 30_000;

@Processor(WEBHOOK_QUEUE, { lockDuration: JOB_LOCK_MS })
export class WebhooksProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhooksProcessor.name);
  private watchdog?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly delivery: WebhookDeliveryService,
    private readonly reconciler: WebhookReconciler,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  /** One reconciler schedule however many workers run; re-created when Redis lost it. */
  async onApplicationBootstrap() {
    this.worker.concurrency = this.config.WEBHOOK_CONCURRENCY;
    await this.ensureReconcileSchedule();
    this.watchdog = setInterval(() => {
      this.ensureReconcileSchedule().catch((error) => this.logger.error({ error: String(error) }, 'cannot schedule the webhook reconciler'));
    }, this.config.WEBHOOK_RECONCILE_EVERY_MS);
    this.watchdog.unref();
  }

  onModuleDestroy() {
    clearInterval(this.watchdog);
  }

  /** A delivery due later stays this same job, moved to its time (one job per delivery). */
  async process(job: Job, token?: string): Promise<unknown> {
    if (job.name === WebhookJobs.reconcile) return this.reconciler.reconcile();
    if (job.name !== WebhookJobs.deliver) throw new UnrecoverableError(`Unknown webhook job ${job.name}`);
    const { deliveryId } = job.data as WebhookJobData;
    if (typeof deliveryId !== 'string') throw new UnrecoverableError('deliver job without a deliveryId');
    const verdict = await this.delivery.deliver(deliveryId);
    if (verdict.done) return { deliveryId, reason: verdict.reason };
    await job.moveToDelayed(verdict.retryAt.getTime(), token);
    throw new DelayedError();
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error) {
    this.logger.error({ error: error.message }, 'webhook worker error');
  }

  private async ensureReconcileSchedule() {
    if (await this.queue.getJobScheduler(WebhookJobs.reconcile)) return;
    await this.queue.upsertJobScheduler(WebhookJobs.reconcile, { every: this.config.WEBHOOK_RECONCILE_EVERY_MS }, { name: WebhookJobs.reconcile });
  }
}
