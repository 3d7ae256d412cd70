// Mailbox creations per second through the API (policy check, argon2id hash, limits, audit, all
// durable), against the raw @node-rs/argon2 hash rate on all cores in the same run; and the
// latency of GET /health/live while 20 creations are in flight (hashing must not block the loop).
//   npm run bench -- mailbox-create
import { Algorithm, hash } from '@node-rs/argon2';
import autocannon from 'autocannon';
import { availableParallelism } from 'node:os';
import { benchDatabase, freePort, runCli, startServer } from './support.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const IN_FLIGHT = 20;
const PASSWORD = 'Quartz-Lantern-Fjord-71!';

async function rawHashRate() {
  const options = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
  const deadline = Date.now() + SECONDS * 1000;
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await hash(`${PASSWORD}${done}`, options);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: availableParallelism() * 2 }, worker));
  return done / ((Date.now() - started) / 1000);
}

const db = await benchDatabase();
let server;
try {
  const port = await freePort();
  const env = { ...db.env, PORT: String(port), HOST: '127.0.0.1' };
  const key = runCli(['create-admin-key', 'bench'], env);
  server = await startServer('dist/src/main.js', env, `http://127.0.0.1:${port}/health/live`);
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  await fetch(`${base}/v1/domains`, { method: 'POST', headers, body: JSON.stringify({ name: 'bench.test' }) });

  const idle = await autocannon({ url: `${base}/health/live`, connections: 1, duration: 3 });
  let n = 0;
  const creating = autocannon({
    url: `${base}/v1/mailboxes`, connections: IN_FLIGHT, duration: SECONDS, method: 'POST', headers,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ address: `user${n++}@bench.test`, password: PASSWORD }) }) }],
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const busy = await autocannon({ url: `${base}/health/live`, connections: 1, duration: SECONDS - 2 });
  const created = await creating;
  if (created.non2xx) throw new Error(`${created.non2xx} creations failed`);
  const raw = await rawHashRate();

  const api = created.requests.total / SECONDS;
  console.log(`\nmailbox-create: ${IN_FLIGHT} creations in flight for ${SECONDS} s; argon2id m=19456 t=2 p=1; ${availableParallelism()} cores; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}`);
  console.table({
    'raw @node-rs/argon2, all cores': { 'per s': raw.toFixed(1) },
    'POST /v1/mailboxes': { 'per s': api.toFixed(1), 'p50 ms': created.latency.p50, 'p99 ms': created.latency.p99 },
    'GET /health/live, idle': { 'per s': idle.requests.average, 'p50 ms': idle.latency.p50, 'p99 ms': idle.latency.p99 },
    'GET /health/live, during creations': { 'per s': busy.requests.average, 'p50 ms': busy.latency.p50, 'p99 ms': busy.latency.p99 },
  });
  console.log(`creations / raw hashes: ×${(api / raw).toFixed(2)}`);
  console.log(`/health/live p99 during creations: ${busy.latency.p99} ms (idle ${idle.latency.p99} ms)`);
} finally {
  server?.kill('SIGTERM');
  await db.drop();
}
