import { adminSql, testDatabaseName } from './test-databases.mjs';

export default async function globalTeardown() {
  const runId = process.env.PM_TEST_RUN_ID;
  const names = [testDatabaseName(runId, 'template')];
  for (let worker = 1; worker <= Number(process.env.PM_TEST_WORKERS); worker++) {
    names.push(testDatabaseName(runId, worker));
  }
  for (const name of names) await adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
