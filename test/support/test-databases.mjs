// Throwaway databases for tests and benchmarks. Plain JavaScript: jest loads its global setup
// outside the TypeScript transform.
import pg from 'pg';

// The server tests and benchmarks create their own databases on; never the development database.
const SERVER_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function testDatabaseName(runId, worker) {
  return `pm_test_${runId}_${worker === 'template' ? 'tmpl' : `w${worker}`}`;
}

export function databaseUrl(name) {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminSql(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
