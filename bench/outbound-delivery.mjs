// Outgoing mail: (b) messages per second from the queue to an SMTP sink by a real worker process
// (claim, DKIM signing, SMTP through the relay pool, per-recipient records), against a bare pooled
// nodemailer loop sending the same bytes to the same sink with the same concurrency, in the same
// run; (c) p50/p99 from acceptance (row committed, job enqueued) to the first attempt.
//   npm run bench -- outbound-delivery        (BENCH_MESSAGES, BENCH_CONCURRENCY to change the load)
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { spawn } from 'node:child_process';
import { benchDatabase } from './support.mjs';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const MESSAGE_BYTES = 10 * 1024;
const BATCH = 500;

const raw = (() => {
  const head = ['From: Bench <bench@bench.test>', 'To: sink@sink.test', 'Subject: bench', 'Message-ID: <bench@bench.test>',
    'Date: Thu, 26 Nov 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', '', ''].join('\r\n');
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.\r\n';
  return Buffer.from(head + line.repeat(Math.ceil((MESSAGE_BYTES - head.length) / line.length))).subarray(0, MESSAGE_BYTES);
})();

async function startSink() {
  let count = 0;
  const waiters = [];
  const server = new SMTPServer({
    logger: false, hideSTARTTLS: true, disabledCommands: ['AUTH'], size: 10 * MESSAGE_BYTES,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        count++;
        for (const w of waiters.filter((w) => w.n <= count)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.server.address().port,
    get count() { return count; },
    reached: (n) => new Promise((resolve) => (count >= n ? resolve() : waiters.push({ n, resolve }))),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function bareNodemailer(sink) {
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: sink.port, maxConnections: CONCURRENCY, maxMessages: 100, logger: false });
  const start = sink.count;
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < MESSAGES) {
      next++;
      await transport.sendMail({ envelope: { from: 'bench@bench.test', to: ['sink@sink.test'] }, raw });
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  if (sink.count - start !== MESSAGES) throw new Error('the sink did not get every bare message');
  return MESSAGES / seconds;
}

async function insertMessages(db, domainId) {
  const ids = Array.from({ length: MESSAGES }, () => randomUUID());
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    await db.query(`
      INSERT INTO messages (id, kind, domain_id, mail_from, from_header, message_id_header, raw, size, status, next_attempt_at, expires_at, updated_at)
      SELECT id, 'message', $2, 'bench@bench.test', 'bench@bench.test', '<' || id || '@bench.test>', $3, $4, 'queued', now(), now() + interval '5 days', now()
      FROM unnest($1::uuid[]) AS id`, [batch, domainId, raw, raw.length]);
    await db.query(`
      INSERT INTO message_recipients (id, message_id, address, field, domain)
      SELECT gen_random_uuid(), id, 'sink@sink.test', 'to', 'sink.test' FROM unnest($1::uuid[]) AS id`, [batch]);
  }
  return ids;
}

const bench = await benchDatabase();
const sink = await startSink();
const db = new pg.Client({ connectionString: bench.env.DATABASE_URL });
await db.connect();
const env = { ...bench.env, OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, OUTBOUND_CONCURRENCY: String(CONCURRENCY) };
const prefix = env.REDIS_KEY_PREFIX.replace(/:$/, '');
const queue = new Queue('outbound', { connection: { url: env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, prefix });
const worker = spawn(process.execPath, ['dist/workers/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
try {
  const { rows: [domain] } = await db.query(`INSERT INTO domains (id, name, status, verification_token, updated_at) VALUES (gen_random_uuid(), 'bench.test', 'active', 'x', now()) RETURNING id`);
  // Ready once the worker has registered its reconciler schedule (it does so at boot).
  for (const deadline = Date.now() + 30_000; !(await queue.getJobScheduler('reconcile')); ) {
    if (Date.now() > deadline || worker.exitCode !== null) throw new Error('the worker did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const bare = await bareNodemailer(sink);

  const before = sink.count;
  const ids = await insertMessages(db, domain.id);
  const started = performance.now();
  for (let i = 0; i < ids.length; i += BATCH) {
    await queue.addBulk(ids.slice(i, i + BATCH).map((id) => ({ name: 'deliver', data: { messageId: id }, opts: { jobId: id, removeOnComplete: true, removeOnFail: true } })));
  }
  await sink.reached(before + MESSAGES);
  const seconds = (performance.now() - started) / 1000;
  const worked = MESSAGES / seconds;
  for (let deadline = Date.now() + 30_000; ;) {
    const { rows: [{ n }] } = await db.query(`SELECT count(*)::int AS n FROM messages WHERE status = 'completed'`);
    if (n === MESSAGES) break;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${MESSAGES} messages completed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { rows: [latency] } = await db.query(`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
    FROM (SELECT extract(epoch FROM min(a.attempted_at) - m.created_at) * 1000 AS ms
          FROM messages m JOIN delivery_attempts a ON a.message_id = m.id GROUP BY m.id, m.created_at) t`);

  console.log(`\noutbound-delivery: ${MESSAGES} messages of ${MESSAGE_BYTES / 1024} KB, one recipient each, DKIM rsa-2048, relay to a loopback smtp-server sink; concurrency ${CONCURRENCY}; one worker process`);
  console.log(`worker / bare nodemailer: x${(worked / bare).toFixed(2)}`);
  console.table({
    'bare pooled nodemailer loop': { 'msgs/s': bare.toFixed(0) },
    'queue -> worker -> sink': { 'msgs/s': worked.toFixed(0) },
  });
  console.log(`acceptance -> first attempt (all ${MESSAGES} enqueued at once): p50 ${Math.round(latency.p50)} ms, p99 ${Math.round(latency.p99)} ms, max ${Math.round(latency.max)} ms`);
} finally {
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await db.end();
  await sink.close();
  await bench.drop();
}
