import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module.js';
import { LOGIN_EVENTS_KEY, type LoginEvent } from './login-counters.js';
import { LoginEventsRepository } from './login-events.repository.js';

export const LOGIN_EVENTS_FLUSH_EVERY_MS = 1000;
const BATCH_SIZE = 1000;

/**
 * Moves reported logins from the Redis list to PostgreSQL in batches, off the request path. Every
 * API process drains the same list; LPOP hands each event to one of them. A batch that cannot be
 * written goes back to the list, to be retried on the next tick.
 */
@Injectable()
export class LoginEventsWriter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LoginEventsWriter.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly events: LoginEventsRepository,
  ) {}

  onModuleInit() {
    this.timer = setInterval(() => void this.flush(), LOGIN_EVENTS_FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy() {
    clearInterval(this.timer);
    await this.running;
    if (this.redis.status === 'ready') await this.flush();
  }

  /** Drains what is queued now; one flush at a time per process. */
  flush(): Promise<void> {
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    for (;;) {
      const raw = (await this.redis.lpop(LOGIN_EVENTS_KEY, BATCH_SIZE).catch(() => null)) ?? [];
      if (!raw.length) return;
      try {
        await this.events.insertBatch(raw.map((item) => JSON.parse(item) as LoginEvent));
      } catch (error) {
        this.logger.error({ err: error, events: raw.length }, 'login events not written; requeued');
        await this.redis.rpush(LOGIN_EVENTS_KEY, ...raw);
        return;
      }
      if (raw.length < BATCH_SIZE) return;
    }
  }
}
