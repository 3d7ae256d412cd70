import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { adminSql, databaseUrl, testDatabaseName } from './test-databases.mjs';

// One migrated template database per run, then one copy per jest worker, so test files running
// in parallel never share tables and two runs on one machine never collide.
export default async function globalSetup(globalConfig) {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  process.env.PM_TEST_RUN_ID = runId;
  process.env.PM_TEST_WORKERS = String(globalConfig.maxWorkers);
  const template = testDatabaseName(runId, 'template');
  await adminSql(`CREATE DATABASE ${template}`);
  execFileSync('node_modules/.bin/prisma', ['migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: databaseUrl(template) },
    stdio: 'pipe',
  });
  for (let worker = 1; worker <= globalConfig.maxWorkers; worker++) {
    await adminSql(`CREATE DATABASE ${testDatabaseName(runId, worker)} TEMPLATE ${template}`);
  }
}
