import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { MaintenanceRepository } from './maintenance.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// Each batch is one short statement, so row locks and WAL come in small pieces; a run stops
// after MAX_PURGE_BATCHES_PER_RUN and the next run (hourly) carries on with the rest.
export const MESSAGE_PURGE_BATCH_ROWS = 500;
const MAX_PURGE_BATCHES_PER_RUN = 200;

@Injectable()
export class MaintenanceService {
  constructor(
    private readonly repository: MaintenanceRepository,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Idempotency keys are a retry window, not an archive: forget them after the configured TTL. */
  purgeExpiredIdempotencyKeys(now = new Date()): Promise<number> {
    return this.repository.deleteIdempotencyKeysBefore(new Date(now.getTime() - this.config.IDEMPOTENCY_TTL_HOURS * HOUR_MS));
  }

  /**
   * A message's body is personal data the platform has no use for once the message is final
   * (delivered, bounced or cancelled: status completed or cancelled): after MESSAGE_RETENTION_DAYS
   * it is emptied, and the row, recipients and attempts stay as the delivery record.
   */
  async purgeOldMessageBodies(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.MESSAGE_RETENTION_DAYS * DAY_MS);
    let purged = 0;
    for (let batch = 0; batch < MAX_PURGE_BATCHES_PER_RUN; batch++) {
      const count = await this.repository.purgeMessageBodiesBefore(before, MESSAGE_PURGE_BATCH_ROWS);
      purged += count;
      if (count < MESSAGE_PURGE_BATCH_ROWS) break;
    }
    return purged;
  }
}
