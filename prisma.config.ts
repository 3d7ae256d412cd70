import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';

// Prisma 6.19 runs offline only with the JS engine and a driver adapter: the native schema
// engine would be downloaded from a host this platform may not reach (README, "Offline").
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () =>
    new WholeScriptPrismaPg({ connectionString: requireDatabaseUrl(), idleTimeoutMillis: 100, Client: CatalogClient }),
});

// adapter-pg runs a migration by splitting it on every ";" — inside comments, quoted strings and
// function bodies too — so a trigger function, or a comment with a ";" or an apostrophe in it,
// broke `migrate deploy`. PostgreSQL takes the whole script as one simple query instead, which
// also makes each migration atomic (the statements of one query string run in one transaction).
class WholeScriptPrismaPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        // Prisma's own error mapping, as the split version reports a failed statement.
        (adapter as unknown as { onError(error: unknown): never }).onError(error);
      }
    };
    return adapter;
  }
}

function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must be set to run Prisma commands');
  return url;
}

// The schema engine reads PostgreSQL's catalog, whose `name`/`char` columns adapter-pg cannot
// map (prisma/orm#27403). They are text in every way that matters, so report them as text.
// This client is used only by the Prisma CLI, never by Postmaster itself.
const CATALOG_TYPES_AS_TEXT: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };

class CatalogClient extends pg.Client {
  // @ts-expect-error -- one override for pg's many query() overloads; pg.Pool passes a callback.
  query(config: pg.QueryConfig, values: unknown, callback: (err: Error, res: pg.QueryResult) => void) {
    return super.query(config, values as unknown[], (err: Error, res: pg.QueryResult) => {
      for (const field of res?.fields ?? []) {
        field.dataTypeID = CATALOG_TYPES_AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
      }
      callback(err, res);
    });
  }
}
