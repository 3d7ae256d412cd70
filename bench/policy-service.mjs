// The Postfix policy service (RCPT TO: the mailbox, sender ownership through the
// mail_sender_logins view, the send-limit check in Redis) against a bare TCP server doing one
// Redis INCR per request, both in child processes, loaded from this one over persistent
// connections as Postfix's smtpd processes hold them, in the same run.
//   npm run bench -- policy-service        (BENCH_SECONDS, BENCH_CONNECTIONS)
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import pg from 'pg';
import { benchDatabase, freePort, serverNodeArgs } from './support.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARM_UP_SECONDS = 2;
const REQUEST = [
  'request=smtpd_access_policy', 'protocol_state=RCPT', 'protocol_name=ESMTP', 'client_address=192.0.2.10',
  'sasl_method=PLAIN', 'sasl_username=user@bench.test', 'sender=user@bench.test', 'recipient=friend@remote.test',
  'recipient_count=0', 'queue_id=', 'size=0', '', '',
].join('\n');

async function seed(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`INSERT INTO domains (id, name, status, verification_token, updated_at)
                      VALUES (gen_random_uuid(), 'bench.test', 'active', 'bench', now())`);
  await client.query(`INSERT INTO mailboxes (id, domain_id, local_part, address, password_hash, quota_bytes, updated_at)
                      SELECT gen_random_uuid(), id, 'user', 'user@bench.test', '{ARGON2ID}x', 1048576, now() FROM domains`);
  await client.end();
}

function start(script, env, nodeArgs) {
  return spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function opened(port) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const socket = connect(port, '127.0.0.1');
    const ok = await new Promise((resolve) => socket.once('connect', () => resolve(true)).once('error', () => resolve(false)));
    if (ok) return socket;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One persistent connection asking again as soon as it is answered, until `until`; latencies in ms. */
async function drive(port, until, latencies) {
  const socket = await opened(port);
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  let buffered = '';
  let answered;
  socket.on('data', (chunk) => {
    buffered += chunk;
    const end = buffered.indexOf('\n\n');
    if (end < 0) return;
    const answer = buffered.slice(0, end);
    buffered = buffered.slice(end + 2);
    answered(answer);
  });
  while (performance.now() < until) {
    const sent = performance.now();
    const answer = await new Promise((resolve) => { answered = resolve; socket.write(REQUEST); });
    if (answer !== 'action=DUNNO') throw new Error(`unexpected answer: ${answer}`);
    latencies?.push(performance.now() - sent);
  }
  socket.destroy();
}

async function measure(port) {
  await Promise.all(Array.from({ length: CONNECTIONS }, () => drive(port, performance.now() + WARM_UP_SECONDS * 1000)));
  const latencies = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, () => drive(port, started + SECONDS * 1000, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), total: latencies.length };
}

const db = await benchDatabase();
const children = [];
try {
  await seed(db.env.DATABASE_URL);
  const [policyPort, barePort] = [await freePort(), await freePort()];
  children.push(start('dist/src/policy/main.js', { ...db.env, POLICY_PORT: String(policyPort) }, serverNodeArgs()));
  children.push(start('bench/bare-policy-server.mjs', { ...db.env, POLICY_PORT: String(barePort) }, []));
  const rows = { 'bare TCP + redis INCR': await measure(barePort), 'policy service (RCPT)': await measure(policyPort) };
  rows['bare TCP + redis INCR (again)'] = await measure(barePort);

  console.log(`\npolicy-service: ${CONNECTIONS} persistent connections, ${SECONDS} s each, after a ${WARM_UP_SECONDS} s warm-up`);
  console.table(Object.fromEntries(Object.entries(rows).map(([name, r]) => [name, {
    'req/s': Math.round(r.rps), 'p50 ms': Number(r.p50.toFixed(2)), 'p99 ms': Number(r.p99.toFixed(2)), requests: r.total,
  }])));
  // The baseline runs before and after the service: their mean is what a noisy machine gave both.
  const bareRuns = [rows['bare TCP + redis INCR'], rows['bare TCP + redis INCR (again)']];
  const bareRps = (bareRuns[0].rps + bareRuns[1].rps) / 2;
  const policy = rows['policy service (RCPT)'];
  console.log(`policy service vs bare (mean of both runs): throughput ×${(policy.rps / bareRps).toFixed(2)}, `
    + `p99 ${policy.p99.toFixed(2)} ms vs ${Math.max(...bareRuns.map((r) => r.p99)).toFixed(2)} ms (goal ×0.7, p99 < 5 ms)`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await db.drop();
}
