import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';

const HOUR_MS = 3_600_000;

@Injectable()
export class MaintenanceService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Idempotency keys are a retry window, not an archive: forget them after the configured TTL. */
  async purgeExpiredIdempotencyKeys(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.IDEMPOTENCY_TTL_HOURS * HOUR_MS);
    const { count } = await this.prisma.idempotentRequest.deleteMany({ where: { createdAt: { lt: before } } });
    return count;
  }
}
