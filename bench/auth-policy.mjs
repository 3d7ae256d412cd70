// Dovecot's auth-policy `allow` call (shared header, validation, one Redis MGET) against a bare
// Fastify route doing one Redis INCR, both in child processes, loaded by autocannon from this one
// in the same run. Then: how soon after the threshold-crossing failure the next attempt is refused.
//   npm run bench -- auth-policy
import { hkdfSync } from 'node:crypto';
import { benchDatabase, freePort, load, report, startServer } from './support.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = 20;
const THRESHOLD = 10; // failuresPerIp's default
const db = await benchDatabase();
const children = [];
try {
  const apiPort = await freePort();
  const barePort = await freePort();
  const env = { ...db.env, PORT: String(apiPort), HOST: '127.0.0.1' };
  children.push(await startServer('dist/src/main.js', env, `http://127.0.0.1:${apiPort}/health/live`));
  children.push(await startServer('bench/bare-redis-server.mjs', { ...env, PORT: String(barePort) }, `http://127.0.0.1:${barePort}/health`));

  // The derived secret, as src/activity/auth-policy-settings.ts computes it (AUTH_POLICY_SECRET unset).
  const secret = Buffer.from(hkdfSync('sha256', env.POSTMASTER_SECRET, 'postmaster', 'auth-policy', 32)).toString('base64url');
  const headers = { 'content-type': 'application/json', 'x-postmaster-auth-policy': secret };
  const body = JSON.stringify({ login: 'user@bench.test', remote: '192.0.2.10', protocol: 'imap', session_id: 'bench' });
  const hook = `http://127.0.0.1:${apiPort}/v1/integrations/dovecot/auth-policy`;

  const rows = {
    'bare fastify + redis INCR': await load(`http://127.0.0.1:${barePort}/allow`, { method: 'POST', headers, body, seconds: SECONDS }),
    'POST auth-policy?command=allow': await load(`${hook}?command=allow`, { method: 'POST', headers, body, seconds: SECONDS }),
  };
  report(`auth-policy: 10 connections, ${SECONDS} s each, after a 2 s warm-up`, rows, 'bare fastify + redis INCR');

  // Reaction time: THRESHOLD failures reported for a fresh IP, then allow checks until one is refused.
  const call = async (command, payload) => {
    const res = await fetch(`${hook}?command=${command}`, { method: 'POST', headers, body: JSON.stringify(payload) });
    return res.json();
  };
  const delays = [];
  let acceptedAfterThreshold = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const attempt = { login: `victim${round}@bench.test`, remote: `198.51.100.${round + 1}`, protocol: 'imap' };
    for (let i = 1; i < THRESHOLD; i++) await call('report', { ...attempt, success: false, policy_reject: false });
    const crossed = performance.now();
    await call('report', { ...attempt, success: false, policy_reject: false });
    while ((await call('allow', attempt)).status !== -1) acceptedAfterThreshold++;
    delays.push(performance.now() - crossed);
  }
  delays.sort((a, b) => a - b);
  console.log(`\nthreshold crossing → next attempt refused, ${ROUNDS} rounds: median ${delays[ROUNDS / 2].toFixed(2)} ms, max ${delays.at(-1).toFixed(2)} ms` +
    ` (report of the ${THRESHOLD}th failure + one allow call); attempts accepted after the crossing: ${acceptedAfterThreshold}`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await db.drop();
}
