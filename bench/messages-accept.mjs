// Messages accepted per second by POST /v1/messages (10 KB JSON message: validation, sender
// check, MailComposer, the Redis limit script, the durable INSERT of message + recipients, the
// BullMQ job), against a bare loop of single-row INSERT … COMMIT of a 10 KB bytea into the same
// PostgreSQL, at the same concurrency, in the same run. No worker runs: jobs accumulate and are
// removed at the end.
//   npm run bench -- messages-accept        (BENCH_MESSAGES, BENCH_CONNECTIONS to change the load)
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { benchDatabase, freePort, runCli, startServer } from './support.mjs';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARM_UP = 200;
const MESSAGE_BYTES = 10 * 1024;
// The bench sends far more than the default platform caps allow per hour.
const NO_CAP = String(1e9);

/** `count` single-row autocommitted INSERTs of a 10 KB bytea over `connections` connections. */
async function bareInserts(url, count) {
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_rows (id uuid PRIMARY KEY, body bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
  const body = randomBytes(MESSAGE_BYTES);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next++ < count) await pool.query('INSERT INTO bench_rows (id, body) VALUES ($1, $2)', [randomUUID(), body]);
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.end();
  return count / seconds;
}

async function apiAccepts(base, headers, body, amount) {
  const result = await autocannon({ url: `${base}/v1/messages`, method: 'POST', headers, body, connections: CONNECTIONS, amount });
  if (result.non2xx || result.errors) throw new Error(`POST /v1/messages: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rate: result.requests.total / (result.duration || 1), total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, seconds: result.duration };
}

const db = await benchDatabase();
const env = {
  ...db.env, OUTBOUND_CAP_MESSAGES_PER_HOUR: NO_CAP, OUTBOUND_CAP_MESSAGES_PER_DAY: NO_CAP,
  OUTBOUND_CAP_RECIPIENTS_PER_HOUR: NO_CAP, OUTBOUND_CAP_RECIPIENTS_PER_DAY: NO_CAP,
};
let server;
try {
  const port = await freePort();
  const serverEnv = { ...env, PORT: String(port), HOST: '127.0.0.1' };
  const key = runCli(['create-admin-key', 'bench'], serverEnv);
  server = await startServer('dist/src/main.js', serverEnv, `http://127.0.0.1:${port}/health/live`);
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const call = (method, path, body) => fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) }).then((r) => r.json());
  const domain = await call('POST', '/v1/domains', { name: 'bench.test' });
  await call('PATCH', `/v1/domains/${domain.id}`, { status: 'active' });
  const mailbox = await call('POST', '/v1/mailboxes', { address: 'sender@bench.test', password: 'Quartz-Lantern-Fjord-71!' });
  if (!mailbox.id) throw new Error(`could not create the mailbox: ${JSON.stringify(mailbox)}`);

  const text = 'All work and no play makes a message of ten kilobytes. '.repeat(Math.ceil(MESSAGE_BYTES / 55)).slice(0, MESSAGE_BYTES);
  const body = JSON.stringify({ from: 'Sender <sender@bench.test>', to: ['rcpt@example.org'], subject: 'bench', text });

  await apiAccepts(base, headers, body, WARM_UP);
  await bareInserts(db.env.DATABASE_URL, WARM_UP);
  // Baseline before and after the API run, so that drift on a shared machine shows and averages out.
  const bareBefore = await bareInserts(db.env.DATABASE_URL, MESSAGES);
  const api = await apiAccepts(base, headers, body, MESSAGES);
  const bareAfter = await bareInserts(db.env.DATABASE_URL, MESSAGES);
  const bare = (bareBefore + bareAfter) / 2;

  const check = new pg.Client({ connectionString: db.env.DATABASE_URL });
  await check.connect();
  const { rows: [stored] } = await check.query('SELECT count(*)::int AS messages, avg(size)::int AS size FROM messages');
  await check.end();

  console.log(`\nPOST /v1/messages ÷ bare INSERT+COMMIT: ×${(api.rate / bare).toFixed(2)}  (${Math.round(api.rate)} vs ${Math.round(bare)} per s)`);
  console.log(`messages-accept: ${MESSAGES} messages of ${MESSAGE_BYTES / 1024} KB text (${stored.size} bytes composed), ${CONNECTIONS} connections, after ${WARM_UP} warm-up each`);
  console.table({
    'bare INSERT … COMMIT (10 KB bytea), before': { 'per s': Math.round(bareBefore) },
    'POST /v1/messages (202, durable)': { 'per s': Math.round(api.rate), 'p50 ms': api.p50, 'p99 ms': api.p99, requests: api.total },
    'bare INSERT … COMMIT (10 KB bytea), after': { 'per s': Math.round(bareAfter) },
  });
  console.log(`rows committed by the API: ${stored.messages} (expected ${MESSAGES + WARM_UP})`);
} finally {
  server?.kill('SIGTERM');
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
  await db.drop();
}
