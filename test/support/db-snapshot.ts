import type { INestApplicationContext } from '@nestjs/common';
import { LoginEventsWriter } from '../../src/activity/login-events.writer.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

/**
 * Columns that legitimately change on a request that is refused: `api_keys.last_used_at` is
 * stamped by authentication itself, before any validation runs. Every other column of every
 * table counts — audit entries, idempotency records (a refused create must release its key),
 * updated_at stamps, login events — so a half-written change anywhere shows.
 */
const VOLATILE_COLUMNS: Record<string, string[]> = { api_keys: ['last_used_at'] };

/** Where the write log lives: outside `public`, so the app and resetState() never see it. */
const SCHEMA = 'fuzz_audit';

export interface DbSnapshot {
  writes: number;
  lastId: number;
}

/**
 * Counts committed row writes to the app's tables. A row trigger on every public table logs each
 * insert, delete and real update (one that changes more than the volatile columns) into a table
 * of its own; the log row is part of the writing transaction, so a rolled-back change leaves no
 * trace and a committed one always does. Comparing two counts is then O(1) in the data size,
 * unlike checksumming every table, which grows with every accepted request.
 */
export class DbSnapshotter {
  private constructor(private readonly app: INestApplicationContext) {}

  private get prisma(): PrismaService {
    return this.app.get(PrismaService);
  }

  static async create(app: INestApplicationContext): Promise<DbSnapshotter> {
    const snapshotter = new DbSnapshotter(app);
    await snapshotter.install();
    return snapshotter;
  }

  private async install(): Promise<void> {
    const prisma = this.prisma;
    await prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await prisma.$executeRawUnsafe(`CREATE SCHEMA ${SCHEMA}`);
    await prisma.$executeRawUnsafe(`CREATE TABLE ${SCHEMA}.writes (id bigserial PRIMARY KEY, table_name text NOT NULL, op text NOT NULL, excerpt text)`);
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION ${SCHEMA}.log_write() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - coalesce(TG_ARGV, '{}') END;
        new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - coalesce(TG_ARGV, '{}') END;
      BEGIN
        IF TG_OP = 'UPDATE' AND old_row = new_row THEN RETURN NULL; END IF;
        INSERT INTO ${SCHEMA}.writes (table_name, op, excerpt) VALUES (TG_TABLE_NAME, TG_OP, left(coalesce(new_row, old_row)::text, 300));
        RETURN NULL;
      END $$`);
    const tables = await prisma.$queryRaw<{ name: string }[]>`
      SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
    for (const { name } of tables) {
      const args = (VOLATILE_COLUMNS[name] ?? []).map((column) => `'${column}'`).join(', ');
      await prisma.$executeRawUnsafe(
        `CREATE TRIGGER fuzz_log_write AFTER INSERT OR UPDATE OR DELETE ON "${name}" FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.log_write(${args})`,
      );
    }
  }

  /** Removes the triggers and the log (the function's CASCADE drops every trigger that calls it). */
  async dispose(): Promise<void> {
    await this.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  }

  /**
   * Login events reach PostgreSQL from a Redis list on a timer: drain it first, so a snapshot is
   * settled. The query goes to the pool under Prisma: Prisma's own engine costs more CPU per query.
   */
  async take(): Promise<DbSnapshot> {
    await this.app.get(LoginEventsWriter).flush();
    const { rows } = await this.prisma.pool.query<{ writes: number; last_id: number }>(
      `SELECT count(*)::int AS writes, coalesce(max(id), 0)::int AS last_id FROM ${SCHEMA}.writes`,
    );
    return { writes: rows[0].writes, lastId: rows[0].last_id };
  }

  /** The tables written since `before`. */
  async tablesWrittenSince(before: DbSnapshot): Promise<string[]> {
    const { rows } = await this.prisma.pool.query<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM ${SCHEMA}.writes WHERE id > $1`, [before.lastId],
    );
    return rows.map((r) => r.table_name);
  }

  /** What was written since `before`: table, operation and the start of the row, for a finding. */
  async changesSince(before: DbSnapshot): Promise<string[]> {
    const rows = await this.prisma.$queryRawUnsafe<{ table_name: string; op: string; excerpt: string }[]>(
      `SELECT table_name, op, excerpt FROM ${SCHEMA}.writes WHERE id > $1 ORDER BY id LIMIT 5`,
      before.lastId,
    );
    return rows.map((r) => `${r.op} ${r.table_name} ${r.excerpt.slice(0, 160)}`);
  }
}

export function changed(before: DbSnapshot, after: DbSnapshot): boolean {
  return before.writes !== after.writes;
}
