import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { CONFIG, type Config } from '../config/config.js';

export const MAIL_DIRECTORY_CHANNEL = 'mail_directory';
// After a lost connection: wait this long before listening again (no cache is trusted meanwhile).
const RECONNECT_DELAY_MS = 1000;

/**
 * Tells whether what was read from the mail directory (mailboxes, domains, aliases, domain
 * aliases) may still be trusted. A trigger on each of those tables notifies MAIL_DIRECTORY_CHANNEL
 * when a change commits (migration 20261203190000); every notification starts a new generation.
 * A reader notes the generation before it reads and keeps the answer only if it is unchanged
 * after: an answer read from a snapshot older than the change is then dropped, whichever of the
 * two arrives first. While the listening connection is down nothing can be trusted (`live` is false).
 */
@Injectable()
export class MailDirectoryWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailDirectoryWatch.name);
  private client: pg.Client | null = null;
  private reconnect: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners = new Set<() => void>();
  generation = 0;
  live = false;

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    await this.client?.end().catch(() => undefined);
  }

  /** `listener` runs at every change (and at every loss of the connection). */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private changed(): void {
    this.generation++;
    for (const listener of this.listeners) listener();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.config.DATABASE_URL });
    this.client = client;
    client.on('notification', () => this.changed());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${MAIL_DIRECTORY_CHANNEL}`);
      if (this.client === client) this.live = true;
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  /** Reported once per connection (its 'error' and 'end' both come here). */
  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.live = false;
    this.changed();
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (error) this.logger.warn({ err: error }, 'mail directory watch: connection lost, answering from the database until it is back');
    clearTimeout(this.reconnect);
    this.reconnect = setTimeout(() => void this.listen(), RECONNECT_DELAY_MS);
  }
}
