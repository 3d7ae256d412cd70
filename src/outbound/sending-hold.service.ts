import { Injectable, Logger } from '@nestjs/common';
import type { Tx } from '../prisma/prisma.service.js';
import { DeliveryScheduler } from './delivery-scheduler.js';

/**
 * A mailbox whose outgoing mail is suspended keeps its waiting messages `held`: workers claim
 * only `queued` and `deferred` rows, so nothing held is sent. Lifting the suspension makes them
 * due at once. Both run in the transaction that changes the mailbox.
 */
@Injectable()
export class SendingHold {
  private readonly logger = new Logger(SendingHold.name);

  constructor(private readonly scheduler: DeliveryScheduler) {}

  async hold(tx: Tx, mailboxId: string): Promise<void> {
    await tx.$executeRaw`
      UPDATE messages SET status = 'held', updated_at = now()
      WHERE mailbox_id = ${mailboxId}::uuid AND status IN ('queued', 'deferred')`;
  }

  /** The released messages' ids: schedule them once the transaction has committed. */
  async release(tx: Tx, mailboxId: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      UPDATE messages SET status = 'queued', next_attempt_at = now(), updated_at = now()
      WHERE mailbox_id = ${mailboxId}::uuid AND status = 'held' RETURNING id`;
    return rows.map((r) => r.id);
  }

  // After the commit; a failure here delays nothing for long, the reconciler enqueues due messages.
  async schedule(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.scheduler.schedule(id).catch((error) => this.logger.warn({ messageId: id, err: error }, 'released message not enqueued'));
    }
  }
}
