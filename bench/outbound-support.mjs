// Pieces of the outbound-delivery bench: the SMTP sink, the bare nodemailer baseline, the burst
// of queued rows, the fixed-rate sender through the API, and the latency query.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

export const MESSAGE_BYTES = 10 * 1024;
const INSERT_BATCH = 500;
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU time (user + system) a process has used so far, from /proc: less noisy than a rate on a shared machine. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** A 10 KB RFC 5322 message, the same bytes for the bare loop and the queued rows. */
export const raw = (() => {
  const head = ['From: Bench <bench@bench.test>', 'To: sink@sink.test', 'Subject: bench', 'Message-ID: <bench@bench.test>',
    'Date: Thu, 26 Nov 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', '', ''].join('\r\n');
  const line = 'The quick brown fox jumps over the lazy dog, again and again and again.\r\n';
  return Buffer.from(head + line.repeat(Math.ceil((MESSAGE_BYTES - head.length) / line.length))).subarray(0, MESSAGE_BYTES);
})();

/** An smtp-server that accepts everything and counts what it received. */
export async function startSink() {
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

/** Messages per second of a pooled nodemailer transport sending `raw` with `concurrency` loops. */
export async function bareNodemailer(sink, messages, concurrency) {
  const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: sink.port, maxConnections: concurrency, maxMessages: 100, logger: false });
  const start = sink.count;
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < messages) {
      next++;
      await transport.sendMail({ envelope: { from: 'bench@bench.test', to: ['sink@sink.test'] }, raw });
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  if (sink.count - start !== messages) throw new Error('the sink did not get every bare message');
  return messages / seconds;
}

/** `count` due messages of the domain, one recipient each, inserted straight into PostgreSQL. */
export async function insertMessages(db, domainId, count) {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (let i = 0; i < ids.length; i += INSERT_BATCH) {
    const batch = ids.slice(i, i + INSERT_BATCH);
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

/**
 * POSTs `body` to /v1/messages at a fixed rate (open loop: request i leaves at i / rate whatever
 * the earlier ones are doing) for `seconds`; resolves with the accepted messages' ids.
 */
export async function sendAtRate(url, headers, body, rate, seconds) {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const requests = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    requests.push(fetch(url, { method: 'POST', headers, body }).then(async (response) => {
      if (response.status !== 202) throw new Error(`POST /v1/messages answered ${response.status}: ${await response.text()}`);
      return (await response.json()).id;
    }));
  }
  const ids = await Promise.all(requests);
  return { ids, offered: total / ((performance.now() - started) / 1000) };
}

/** Waits until every message in `ids` is completed (each was sent to the sink once). */
export async function completed(db, ids, timeoutMs) {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const { rows: [{ n }] } = await db.query(`SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [ids]);
    if (n === ids.length) return;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${ids.length} messages completed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** p50, p99 and max of created_at (acceptance) → the first delivery attempt, in ms. */
export async function acceptanceToFirstAttempt(db, ids) {
  const { rows: [latency] } = await db.query(`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
    FROM (SELECT extract(epoch FROM min(a.attempted_at) - m.created_at) * 1000 AS ms
          FROM messages m JOIN delivery_attempts a ON a.message_id = m.id WHERE m.id = ANY($1::uuid[]) GROUP BY m.id, m.created_at) t`, [ids]);
  return { p50: Math.round(latency.p50), p99: Math.round(latency.p99), max: Math.round(latency.max) };
}
