import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { CONFIG, type Config } from '../../config/config.js';
import { OUTBOX_CHANNEL } from '../webhook-events.service.js';
import { WebhookScheduler } from '../webhook-scheduler.js';

// After a lost connection, listen again this soon; what was announced meanwhile the reconciler finds.
const RECONNECT_DELAY_MS = 1_000;

/**
 * Enqueues each outbox row the moment its transaction commits: PostgreSQL delivers a NOTIFY
 * sent inside a transaction only at its commit, and never after a rollback, so "after commit"
 * holds without any caller having to remember it. Every worker listens; jobId = the row id, so
 * the notices of several workers collapse into one job.
 */
@Injectable()
export class WebhookOutboxListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookOutboxListener.name);
  private client?: pg.Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly scheduler: WebhookScheduler,
  ) {}

  async onApplicationBootstrap() {
    await this.listen();
  }

  async onApplicationShutdown() {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.DATABASE_URL });
    this.client = client;
    client.on('notification', ({ payload }) => {
      if (!payload) return;
      this.scheduler.enqueue(payload).catch((error: unknown) => this.logger.warn({ deliveryId: payload, err: String(error) }, 'webhook delivery not enqueued: left to the reconciler'));
    });
    client.on('error', (error) => {
      this.logger.error({ err: error.message }, 'outbox listener connection lost');
      this.again(client);
    });
    client.on('end', () => this.again(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      this.logger.error({ err: String(error) }, 'outbox listener cannot connect');
      this.again(client);
    }
  }

  private again(client: pg.Client) {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.retry = setTimeout(() => void this.listen(), RECONNECT_DELAY_MS);
    this.retry.unref();
  }
}
