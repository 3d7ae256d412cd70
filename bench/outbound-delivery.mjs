// Outgoing mail, one worker process relaying to a loopback smtp-server sink that accepts everything:
// (b) messages per second from the queue to the sink (claim, DKIM signing, SMTP through the relay
//     pool, per-recipient records), against a bare pooled nodemailer loop sending the same bytes to
//     the same sink with the same concurrency, in the same run;
// (c) p50/p99 from acceptance (messages.created_at) to the first recorded attempt (attempted_at is
//     when its SMTP transaction ended), under a steady load POSTed through the real API at a fixed
//     fraction of the (b) throughput. The burst of (b) is reported too, as drain time: there a
//     message's wait is its place in the queue.
//   npm run bench -- outbound-delivery
//   BENCH_MESSAGES, BENCH_CONCURRENCY, BENCH_STEADY_FRACTION, BENCH_STEADY_SECONDS change the load;
//   BENCH_STEADY_RATE (msgs/s) fixes the steady rate instead, to compare builds at the same load;
//   BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the worker.
import { Queue } from 'bullmq';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { benchDatabase, dropRedisKeys, freePort, runCli, serverNodeArgs, startServer } from './support.mjs';
import {
  MESSAGE_BYTES, acceptanceToFirstAttempt, bareNodemailer, completed, cpuMs, insertMessages, sendAtRate, startSink,
} from './outbound-support.mjs';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const STEADY_FRACTION = Number(process.env.BENCH_STEADY_FRACTION ?? 0.5);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const STEADY_RATE = process.env.BENCH_STEADY_RATE ? Number(process.env.BENCH_STEADY_RATE) : undefined;
const WARM_UP_MESSAGES = 50;
const SETTLE_TIMEOUT_MS = 60_000;
const ENQUEUE_BATCH = 500;
// The bench sends far more than a mailbox may: lift the caps and the volume rules of the monitor.
const NO_CAP = String(1e9);
const NO_VOLUME_RULES = JSON.stringify({ volumeSpike: { enabled: false }, hourlyCap: { enabled: false } });

async function startWorker(env, queue) {
  const worker = spawn(process.execPath, [...serverNodeArgs(), 'dist/workers/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  // Ready once the worker has registered its reconciler schedule (it does so at boot).
  for (const deadline = Date.now() + 30_000; !(await queue.getJobScheduler('reconcile')); ) {
    if (Date.now() > deadline || worker.exitCode !== null) throw new Error('the worker did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return worker;
}

/** An admin key, an active domain and a sender mailbox, through the API. */
async function provision(base, env) {
  const key = runCli(['create-admin-key', 'bench'], env);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const call = (method, path, body) => fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) }).then((r) => r.json());
  const domain = await call('POST', '/v1/domains', { name: 'bench.test' });
  await call('PATCH', `/v1/domains/${domain.id}`, { status: 'active' });
  const mailbox = await call('POST', '/v1/mailboxes', { address: 'sender@bench.test', password: 'Quartz-Lantern-Fjord-71!' });
  if (!mailbox.id) throw new Error(`could not create the mailbox: ${JSON.stringify(mailbox)}`);
  return { headers, domainId: domain.id };
}

/** (b): every message inserted as due and enqueued at once; msgs/s until the sink has them all. */
async function burst(db, queue, sink, domainId, workerPid) {
  const before = sink.count;
  const ids = await insertMessages(db, domainId, MESSAGES);
  const cpuBefore = cpuMs(workerPid);
  const started = performance.now();
  for (let i = 0; i < ids.length; i += ENQUEUE_BATCH) {
    await queue.addBulk(ids.slice(i, i + ENQUEUE_BATCH).map((id) => ({ name: 'deliver', data: { messageId: id }, opts: { jobId: id, removeOnComplete: true, removeOnFail: true } })));
  }
  await sink.reached(before + MESSAGES);
  const rate = MESSAGES / ((performance.now() - started) / 1000);
  await completed(db, ids, SETTLE_TIMEOUT_MS);
  const workerCpuPerMessage = (cpuMs(workerPid) - cpuBefore) / MESSAGES;
  return { rate, workerCpuPerMessage, drain: await acceptanceToFirstAttempt(db, ids) };
}

/** (c): POST /v1/messages at `rate` for STEADY_SECONDS, after a warm-up of the API at that rate. */
async function steady(db, base, headers, rate) {
  const text = 'All work and no play makes a message of ten kilobytes. '.repeat(Math.ceil(MESSAGE_BYTES / 55)).slice(0, MESSAGE_BYTES);
  const body = JSON.stringify({ from: 'Sender <sender@bench.test>', to: ['sink@sink.test'], subject: 'bench', text });
  const warm = await sendAtRate(`${base}/v1/messages`, headers, body, rate, WARM_UP_MESSAGES / rate);
  await completed(db, warm.ids, SETTLE_TIMEOUT_MS);
  const started = performance.now();
  const { ids, offered } = await sendAtRate(`${base}/v1/messages`, headers, body, rate, STEADY_SECONDS);
  await completed(db, ids, SETTLE_TIMEOUT_MS);
  const delivered = ids.length / ((performance.now() - started) / 1000);
  return { count: ids.length, offered, delivered, latency: await acceptanceToFirstAttempt(db, ids) };
}

const bench = await benchDatabase();
const sink = await startSink();
const db = new pg.Client({ connectionString: bench.env.DATABASE_URL });
await db.connect();
const port = await freePort();
const env = {
  ...bench.env, PORT: String(port), HOST: '127.0.0.1',
  OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, OUTBOUND_CONCURRENCY: String(CONCURRENCY),
  OUTBOUND_CAP_MESSAGES_PER_HOUR: NO_CAP, OUTBOUND_CAP_MESSAGES_PER_DAY: NO_CAP,
  OUTBOUND_CAP_RECIPIENTS_PER_HOUR: NO_CAP, OUTBOUND_CAP_RECIPIENTS_PER_DAY: NO_CAP, SENDING_RULES: NO_VOLUME_RULES,
};
const queue = new Queue('outbound', { connection: { url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, prefix: env.REDIS_KEY_PREFIX.replace(/:$/, '') });
let api;
let worker;
try {
  const base = `http://127.0.0.1:${port}`;
  api = await startServer('dist/src/main.js', env, `${base}/health/live`, []);
  const { headers, domainId } = await provision(base, env);
  worker = await startWorker(env, queue);

  const bare = await bareNodemailer(sink, MESSAGES, CONCURRENCY);
  const b = await burst(db, queue, sink, domainId, worker.pid);
  const c = await steady(db, base, headers, STEADY_RATE ?? STEADY_FRACTION * b.rate);

  console.log(`\n(b) worker / bare nodemailer: ×${(b.rate / bare).toFixed(2)}  (${b.rate.toFixed(0)} vs ${bare.toFixed(0)} msgs/s)`);
  const load = STEADY_RATE ? 'BENCH_STEADY_RATE' : `${STEADY_FRACTION * 100} % of (b)`;
  console.log(`(c) acceptance -> first attempt at ${c.offered.toFixed(0)} msgs/s offered (${load}): p50 ${c.latency.p50} ms, p99 ${c.latency.p99} ms`);
  console.log(`    worker CPU per message in (b): ${b.workerCpuPerMessage.toFixed(2)} ms (user + system)`);
  console.log(`\noutbound-delivery: ${MESSAGE_BYTES / 1024} KB messages, one recipient each, DKIM rsa-2048, relay to a loopback smtp-server sink; concurrency ${CONCURRENCY}; one worker process`);
  console.table({
    'bare pooled nodemailer loop': { messages: MESSAGES, 'msgs/s': bare.toFixed(0) },
    'queue -> worker -> sink (burst)': { messages: MESSAGES, 'msgs/s': b.rate.toFixed(0) },
    'POST /v1/messages -> sink (steady)': { messages: c.count, 'msgs/s': c.delivered.toFixed(0) },
  });
  console.log(`steady, ${STEADY_SECONDS} s: acceptance -> first attempt p50 ${c.latency.p50} ms, p99 ${c.latency.p99} ms, max ${c.latency.max} ms`);
  console.log(`burst drain time (all ${MESSAGES} enqueued at once, so this is queue position, not latency): p50 ${b.drain.p50} ms, p99 ${b.drain.p99} ms, max ${b.drain.max} ms`);
} finally {
  worker?.kill('SIGTERM');
  if (worker?.exitCode === null) await new Promise((resolve) => worker.once('exit', resolve));
  api?.kill('SIGTERM');
  await queue.close();
  await dropRedisKeys(env);
  await db.end();
  await sink.close();
  await bench.drop();
}
