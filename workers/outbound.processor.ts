import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job, type Queue, UnrecoverableError } from 'bullmq';
import { CONFIG, type Config } from '../src/config/config.js';
import { DeliveryScheduler } from '../src/outbound/delivery-scheduler.js';
import { DELIVERY_JOB_LOCK_MS, DELIVERY_STALLED_CHECK_MS } from '../src/outbound/delivery/delivery.constants.js';
import { DeliveryService } from '../src/outbound/delivery/delivery.service.js';
import { OutboundReconciler, RECONCILE_JOB } from '../src/outbound/delivery/reconciler.js';
import { type DeliverJobData, OUTBOUND_QUEUE, OutboundJobs } from '../src/outbound/outbound.queue.js';

// A short lock: a worker killed mid-delivery hands its job on within seconds (the message's own
// lease in PostgreSQL decides when it may be sent again).
@Processor(OUTBOUND_QUEUE, { lockDuration: DELIVERY_JOB_LOCK_MS, stalledInterval: DELIVERY_STALLED_CHECK_MS })
export class OutboundProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboundProcessor.name);
  private watchdog?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly delivery: DeliveryService,
    private readonly reconciler: OutboundReconciler,
    private readonly scheduler: DeliveryScheduler,
    @InjectQueue(OUTBOUND_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  /**
   * The reconciler runs as one job scheduler however many workers start. Redis losing its data
   * loses that schedule too, so every worker re-creates it when it is missing.
   */
  async onApplicationBootstrap() {
    this.worker.concurrency = this.config.OUTBOUND_CONCURRENCY;
    await this.ensureReconcileSchedule();
    this.watchdog = setInterval(() => {
      this.ensureReconcileSchedule().catch((error) => this.logger.error({ error: String(error) }, 'cannot schedule the reconciler'));
    }, this.config.OUTBOUND_RECONCILE_EVERY_MS);
    this.watchdog.unref();
  }

  onModuleDestroy() {
    clearInterval(this.watchdog);
  }

  /**
   * Errors reach the queue: an infrastructure failure is rethrown for BullMQ's retries; a job
   * that cannot mean anything is UnrecoverableError. A message due later stays this same job,
   * moved to its time (one job per message).
   */
  async process(job: Job, token?: string): Promise<unknown> {
    if (job.name === RECONCILE_JOB) return this.reconciler.reconcile();
    if (job.name !== OutboundJobs.deliver) throw new UnrecoverableError(`Unknown outbound job ${job.name}`);
    const { messageId } = job.data as DeliverJobData;
    if (typeof messageId !== 'string') throw new UnrecoverableError('deliver job without a messageId');
    const result = await this.delivery.deliver(messageId);
    for (const dsnId of result.dsnIds) await this.scheduler.enqueue(dsnId);
    if (result.done) return { messageId, reason: result.reason };
    await job.moveToDelayed(result.retryAt.getTime(), token);
    throw new DelayedError();
  }

  /**
   * BullMQ reports errors outside a job here (e.g. a job whose keys Redis lost cannot be moved
   * to completed): logged, and without a listener an EventEmitter 'error' would throw.
   */
  @OnWorkerEvent('error')
  onWorkerError(error: Error) {
    this.logger.error({ error: error.message }, 'outbound worker error');
  }

  private async ensureReconcileSchedule() {
    if (await this.queue.getJobScheduler(RECONCILE_JOB)) return;
    await this.queue.upsertJobScheduler(RECONCILE_JOB, { every: this.config.OUTBOUND_RECONCILE_EVERY_MS }, { name: RECONCILE_JOB });
  }
}
