import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { CONFIG, type Config } from '../config/config.js';
import { PrismaClient } from '../generated/prisma/client.js';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /**
   * The pool Prisma itself uses, for the few statements on hot paths (every request's key lookup,
   * accepting a message): Prisma 6.19's client engine spends more CPU on a query, raw ones
   * included, than PostgreSQL does (bench/messages-accept.mjs).
   */
  readonly pool: pg.Pool;

  constructor(@Inject(CONFIG) config: Config) {
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  // Not onModuleDestroy: that runs before BullMQ closes its workers (in their
  // onApplicationShutdown), and a job still running would wait forever on a closed pool.
  async onApplicationShutdown() {
    await this.$disconnect();
    if (!this.pool.ended) await this.pool.end();
  }
}

export type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];
