// Webhook delivery, one worker process posting to a loopback HTTP receiver that answers 204:
// events per second from the outbox (claim, destination check, Standard Webhooks signing, HTTP
// POST to the approved IP literal, the attempt and the new state recorded in one transaction),
// against a bare loop posting the same signed bodies with fetch at the same concurrency, in the
// same run, as a ratio (issue 16's goal: ≥ ×0.5).
//   npm run bench -- webhooks-delivery
//   BENCH_EVENTS, BENCH_CONCURRENCY change the load.
import { Queue } from 'bullmq';
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { WebhookSecrets } from '../dist/src/webhooks/webhook-secrets.js';
import { newSecret } from '../dist/src/webhooks/webhook-signer.js';
import { benchDatabase, dropRedisKeys, serverNodeArgs } from './support.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ENQUEUE_BATCH = 500;
const WARM_UP_EVENTS = 1000;
const SETTLE_TIMEOUT_MS = 120_000;
// A payload of the size a message.bounced event has (~600 bytes of JSON).
const DATA = { messageId: randomUUID(), recipient: 'someone@example.org', status: 'bounced', attempt: 1, host: 'mx.example.org', smtp: { code: 550, enhanced: '5.1.1', response: '550 5.1.1 <someone@example.org>: Recipient address rejected: User unknown in virtual mailbox table' } };

function startReceiver() {
  let count = 0;
  const waiters = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(204).end();
      count++;
      for (const w of waiters.filter((w) => count >= w.n)) w.resolve();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    get count() { return count; },
    reached: (n) => (count >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, resolve: r }))),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  })));
}

function sign(secret, id, body) {
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}` };
}

const bodyOf = (id) => JSON.stringify({ id, type: 'message.bounced', version: 1, timestamp: new Date().toISOString(), resellerId: null, data: DATA });

/** The bare loop: CONCURRENCY fetch loops posting signed bodies until EVENTS are answered. */
async function bareFetch(url, secret, events = EVENTS) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < events) {
      const id = randomUUID();
      const body = bodyOf(id);
      const res = await fetch(url, { method: 'POST', headers: { ...sign(secret, id, body), 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
    }
  }));
  return events / ((performance.now() - started) / 1000);
}

async function startWorker(env, queue) {
  const worker = spawn(process.execPath, [...serverNodeArgs(), 'dist/workers/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (const deadline = Date.now() + 30_000; !(await queue.getJobScheduler('reconcile')); ) {
    if (Date.now() > deadline || worker.exitCode !== null) throw new Error('the worker did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return worker;
}

/** The outbox rows as WebhookEvents.emit writes them, then one job each (as the NOTIFY listener adds them). */
async function burst(db, queue, receiver, endpointId, events = EVENTS) {
  const before = receiver.count;
  const ids = [];
  for (let i = 0; i < events; i += ENQUEUE_BATCH) {
    const chunk = Array.from({ length: Math.min(ENQUEUE_BATCH, events - i) }, () => { const id = randomUUID(); return { id, body: bodyOf(id) }; });
    const { rows } = await db.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body, next_attempt_at, expires_at)
       SELECT gen_random_uuid(), $1, (e->>'id')::uuid, 'message.bounced', e->>'body', now(), now() + interval '3 days'
       FROM jsonb_array_elements($2::jsonb) e RETURNING id`, [endpointId, JSON.stringify(chunk)]);
    ids.push(...rows.map((r) => r.id));
  }
  const started = performance.now();
  for (let i = 0; i < ids.length; i += ENQUEUE_BATCH) {
    await queue.addBulk(ids.slice(i, i + ENQUEUE_BATCH).map((id) => ({ name: 'deliver', data: { deliveryId: id }, opts: { jobId: id, removeOnComplete: true, removeOnFail: true } })));
  }
  await Promise.race([receiver.reached(before + events), new Promise((_, reject) => setTimeout(() => reject(new Error('deliveries did not finish')), SETTLE_TIMEOUT_MS).unref())]);
  const rate = events / ((performance.now() - started) / 1000);
  for (const deadline = Date.now() + SETTLE_TIMEOUT_MS; ;) {
    const { rows: [{ n }] } = await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered' AND id = ANY($1::uuid[])`, [ids]);
    if (n === ids.length) break;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${ids.length} deliveries recorded`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return rate;
}

const bench = await benchDatabase();
const receiver = await startReceiver();
const db = new pg.Client({ connectionString: bench.env.DATABASE_URL });
await db.connect();
const env = { ...bench.env, PRIVATE_DESTINATIONS_ALLOWED: '127.0.0.0/8', WEBHOOK_CONCURRENCY: String(CONCURRENCY) };
const queue = new Queue('webhooks', { connection: { url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, prefix: env.REDIS_KEY_PREFIX.replace(/:$/, '') });
let worker;
try {
  // The endpoint as POST /v1/webhooks stores it (a platform endpoint, its secret sealed).
  const url = `http://127.0.0.1:${receiver.port}/hook`;
  const secret = newSecret();
  const sealed = Buffer.from(new WebhookSecrets({ POSTMASTER_SECRET: env.POSTMASTER_SECRET }).seal(secret));
  const { rows: [row] } = await db.query(
    `INSERT INTO webhook_endpoints (id, url, events, secret, updated_at) VALUES (gen_random_uuid(), $1, '{}', $2, now()) RETURNING id`, [url, sealed]);
  const endpoint = { id: row.id, secret };
  worker = await startWorker(env, queue);

  // Unmeasured: a process's first loop runs cold (JIT, connections); both sides are warmed alike.
  await bareFetch(url, endpoint.secret, WARM_UP_EVENTS);
  await burst(db, queue, receiver, endpoint.id, WARM_UP_EVENTS);
  const bareBefore = await bareFetch(url, endpoint.secret);
  const rate = await burst(db, queue, receiver, endpoint.id);
  const bareAfter = await bareFetch(url, endpoint.secret);
  // The bare loop runs before and after the worker and the ratio is against their mean: on a
  // shared machine either run alone may catch a busy or a quiet moment.
  const bare = (bareBefore + bareAfter) / 2;
  console.log(`\nwebhooks-delivery: worker / bare fetch loop: ×${(rate / bare).toFixed(2)}  (${rate.toFixed(0)} vs ${bare.toFixed(0)} events/s, the mean of bare before ${bareBefore.toFixed(0)} and after ${bareAfter.toFixed(0)})`);
  console.log(`${EVENTS} events of ${bodyOf(randomUUID()).length} bytes, concurrency ${CONCURRENCY}, one worker process, loopback receiver answering 204`);
} finally {
  worker?.kill('SIGTERM');
  if (worker && worker.exitCode === null) await new Promise((resolve) => worker.once('exit', resolve));
  await queue.close();
  await dropRedisKeys(env);
  await db.end();
  await receiver.close();
  await bench.drop();
}
