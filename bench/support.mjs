// Shared plumbing for the benchmarks: a throwaway database, the built Postmaster processes, and
// autocannon runs from this (separate) process. Figures are compared as ratios within one run,
// because this machine is shared and noisy.
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { adminSql, databaseUrl } from '../test/support/test-databases.mjs';

export async function benchDatabase() {
  const name = `pm_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminSql(`CREATE DATABASE ${name}`);
  const env = benchEnv({ DATABASE_URL: databaseUrl(name) });
  execFileSync('node_modules/.bin/prisma', ['migrate', 'deploy'], { env, stdio: 'ignore' });
  return { env, drop: () => adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export function benchEnv(overrides) {
  return {
    ...process.env,
    LOG_LEVEL: 'warn',
    POSTMASTER_SECRET: process.env.POSTMASTER_SECRET ?? randomBytes(32).toString('base64'),
    REDIS_KEY_PREFIX: `pm-bench:${process.pid}:`,
    ...overrides,
  };
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** BENCH_SERVER_NODE_ARGS: flags for the measured server's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
export function serverNodeArgs() {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/**
 * Starts `node script` with `env` and resolves once GET url answers 200. `nodeArgs` defaults to
 * BENCH_SERVER_NODE_ARGS; a bench whose measured process is another one passes [] here.
 */
export async function startServer(script, env, readyUrl, nodeArgs = serverNodeArgs()) {
  const child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(readyUrl)).ok) return child;
    } catch {}
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${script} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function runCli(args, env) {
  return execFileSync(process.execPath, ['dist/src/cli.js', ...args], { env }).toString().trim().split('\n').at(-1);
}

export async function load(url, { headers = {}, method = 'GET', body, connections = 10, seconds = 10 } = {}) {
  await autocannon({ url, headers, method, body, connections, duration: 2 }); // warm-up
  const result = await autocannon({ url, headers, method, body, connections, duration: seconds });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
}

export function report(title, rows, baseline) {
  console.log(`\n${title}`);
  console.table(
    Object.fromEntries(
      Object.entries(rows).map(([name, r]) => [
        name,
        { 'req/s': Math.round(r.rps), 'p50 ms': r.p50, 'p99 ms': r.p99, requests: r.total },
      ]),
    ),
  );
  for (const [name, r] of Object.entries(rows)) {
    if (name === baseline) continue;
    const b = rows[baseline];
    // Latencies are whole milliseconds: a 0 ms baseline has no meaningful ratio.
    const ratio = (x, y) => (y > 0 ? `×${(x / y).toFixed(2)}` : `${x} ms vs ${y} ms`);
    console.log(`${name} vs ${baseline}: throughput ${ratio(r.rps, b.rps)}, p50 ${ratio(r.p50, b.p50)}, p99 ${ratio(r.p99, b.p99)}`);
  }
}

/** Deletes every Redis key of a bench's prefix (every queue's, the worker's schedulers too). */
export async function dropRedisKeys(env) {
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
}
