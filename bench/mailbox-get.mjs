// GET /v1/mailboxes/{id} with an API key, against a bare Fastify route doing the same single-row
// pg query; both served by a child process, loaded by autocannon from this one, in the same run.
//   npm run bench -- mailbox-get
import { benchDatabase, freePort, load, report, runCli, startServer } from './support.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const db = await benchDatabase();
const children = [];
try {
  const apiPort = await freePort();
  const barePort = await freePort();
  const env = { ...db.env, PORT: String(apiPort), HOST: '127.0.0.1' };
  const key = runCli(['create-admin-key', 'bench'], env);
  children.push(await startServer('dist/src/main.js', env, `http://127.0.0.1:${apiPort}/health/live`));
  children.push(await startServer('bench/bare-mailbox-server.mjs', { ...env, PORT: String(barePort) }, `http://127.0.0.1:${barePort}/health`));

  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const post = (path, body) => fetch(`http://127.0.0.1:${apiPort}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) => r.json());
  await post('/v1/domains', { name: 'bench.test' });
  const mailbox = await post('/v1/mailboxes', { address: 'user@bench.test', password: 'Quartz-Lantern-Fjord-71!' });
  if (!mailbox.id) throw new Error(`could not create the mailbox: ${JSON.stringify(mailbox)}`);

  const rows = {
    'bare fastify + pg': await load(`http://127.0.0.1:${barePort}/mailboxes/${mailbox.id}`, { seconds: SECONDS }),
    'GET /v1/mailboxes/{id}': await load(`http://127.0.0.1:${apiPort}/v1/mailboxes/${mailbox.id}`, { headers, seconds: SECONDS }),
  };
  report(`mailbox-get: 10 connections, ${SECONDS} s each, after a 2 s warm-up`, rows, 'bare fastify + pg');
} finally {
  for (const child of children) child.kill('SIGTERM');
  await db.drop();
}
