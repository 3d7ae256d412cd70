// Creates the database named in DATABASE_URL when it does not exist yet, so that a fresh
// machine needs nothing but a running PostgreSQL server.
import pg from 'pg';

const target = new URL(process.env.DATABASE_URL);
const name = decodeURIComponent(target.pathname.slice(1));
const server = new URL(target);
server.pathname = '/postgres';

const client = new pg.Client({ connectionString: server.toString() });
await client.connect();
try {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!rowCount) {
    await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    console.error(`[postmaster] created database ${name}`);
  }
} finally {
  await client.end();
}
