import { databaseUrl, testDatabaseName } from './test-databases.mjs';

// Runs in every test file before it loads: point the app at this jest worker's own database
// and Redis key prefix.
const runId = process.env.PM_TEST_RUN_ID;
const worker = Number(process.env.JEST_WORKER_ID ?? '1');
process.env.DATABASE_URL = databaseUrl(testDatabaseName(runId, worker));
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.REDIS_KEY_PREFIX = `pm-test:${runId}:w${worker}:`;
process.env.LOG_LEVEL ??= 'silent';
process.env.POSTMASTER_SECRET ??= 'test-secret-'.padEnd(44, 'x');
// GET /v1/mail-services/config must describe this worker's database and the default mail root.
delete process.env.MAIL_SERVICES_DATABASE_URL;
delete process.env.MAIL_SERVICES_MAIL_ROOT;
// Workers started by tests probe the advertised mail endpoints at once: keep that on loopback.
process.env.MAIL_PROBE_ADDRESS = '127.0.0.1';
process.env.MAIL_PROBE_TIMEOUT_MS = '1000';
// Delivery, the MTA-STS fetch and probes of tenants' host names connect only to public addresses
// unless allowed; the test servers are all on loopback. Tests of the refusal set it to ''.
process.env.PRIVATE_DESTINATIONS_ALLOWED = '127.0.0.0/8';
// The API is served over plain HTTP on loopback in tests: a Secure cookie would not come back.
process.env.SESSION_COOKIE_SECURE ??= 'false';
