import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';

@Injectable()
export class MaintenanceRepository {
  constructor(private readonly prisma: PrismaService) {}

  async deleteIdempotencyKeysBefore(before: Date): Promise<number> {
    const { count } = await this.prisma.idempotentRequest.deleteMany({ where: { createdAt: { lt: before } } });
    return count;
  }

  /**
   * Empties the bodies of up to `limit` final messages that became final (their last update)
   * before `before`. `raw` stays NOT NULL, as every reader expects bytes; updated_at is left as
   * it was, so it still tells when the message became final. SKIP LOCKED: a second worker's pass
   * takes other rows instead of waiting.
   */
  purgeMessageBodiesBefore(before: Date, limit: number): Promise<number> {
    return this.prisma.$executeRaw`
      WITH batch AS (
        SELECT id FROM messages
        WHERE status IN ('completed', 'cancelled') AND body_purged_at IS NULL AND updated_at < ${before}
        ORDER BY updated_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE messages m SET raw = ''::bytea, body_purged_at = now()
      FROM batch WHERE m.id = batch.id`;
  }
}
