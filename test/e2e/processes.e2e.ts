import { GOOD_PASSWORD, TestApi } from '../support/api.js';
import { SessionClient, sessionCookieOf } from '../support/people.js';
import { RunningProcess, freePort, run, waitFor } from '../support/processes.js';

// The two processes and the command line as they run in production: built, in child processes.
describe('processes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.close());

  const env = (overrides: Record<string, string | undefined> = {}) => ({ ...process.env, LOG_LEVEL: 'info', ...overrides });

  it('create-admin-key prints a working platform key alone on the last line', async () => {
    const result = await run('dist/src/cli.js', ['create-admin-key', 'bootstrap'], env());
    expect(result.code).toBe(0);
    const key = result.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^pm_[\w-]{43}$/);
    const row = await api.db.apiKey.findFirstOrThrow({ where: { name: 'bootstrap' } });
    expect(row).toMatchObject({ resellerId: null, readOnly: false, scopes: [] });
    expect((await api.client(key).post('/v1/resellers', { name: 'via bootstrap key' })).status).toBe(201);
  });

  it('create-user prints a one-time password alone on the last line, which opens only the password change', async () => {
    const result = await run('dist/src/cli.js', ['create-user', 'First@Platform.test', '--role', 'platform-admin'], env());
    expect(result.code).toBe(0);
    const password = result.stdout.trim().split('\n').at(-1)!;
    expect(password).toMatch(/^[\w-]{20,}$/);
    expect(await api.db.user.findUniqueOrThrow({ where: { email: 'first@platform.test' } }))
      .toMatchObject({ role: 'platform-admin', resellerId: null, mustChangePassword: true, disabledAt: null });
    expect(await api.db.auditEntry.count({ where: { action: 'user.create', actorType: 'cli' } })).toBe(1);
    const login = await api.client().post('/v1/auth/login', { email: 'first@platform.test', password });
    expect(login.status).toBe(200);
    const session = new SessionClient(api.baseUrl, sessionCookieOf(login)!, login.body.csrfToken);
    expect((await session.get('/v1/resellers')).body.code).toBe('password_change_required');
    expect((await session.post('/v1/me/password', { currentPassword: password, newPassword: GOOD_PASSWORD })).status).toBe(200);
    const again = await run('dist/src/cli.js', ['create-user', 'first@platform.test', '--role', 'platform-admin'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');
  });

  it.each([
    [['create-user', 'someone@platform.test']],
    [['create-user', 'someone@platform.test', '--role', 'reseller-admin']],
    [['create-user', 'not-an-address', '--role', 'platform-admin']],
  ])('create-user refuses %j with its usage', async (args) => {
    const result = await run('dist/src/cli.js', args, env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('create-user <email> --role platform-admin|platform-support');
    expect(await api.db.user.count({ where: { email: 'someone@platform.test' } })).toBe(0);
  });

  it('create-admin-key without a name explains its usage', async () => {
    const result = await run('dist/src/cli.js', ['create-admin-key'], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm run cli -- create-admin-key <name>');
  });

  it.each([
    ['dist/src/main.js', { DATABASE_URL: undefined }, 'DATABASE_URL is required'],
    ['dist/src/main.js', { PORT: 'eighty' }, 'PORT'],
    ['dist/workers/main.js', { REDIS_URL: 'http://nope' }, 'REDIS_URL must be a redis:// URL'],
    ['dist/workers/main.js', { POSTMASTER_SECRET: 'short' }, 'POSTMASTER_SECRET must be at least 32 characters'],
  ])('%s stops at boot on bad configuration, naming the variable (%j)', async (script, overrides, message) => {
    const result = await run(script, [], env(overrides));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('the API serves on PORT with JSON logs and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = RunningProcess.start('dist/src/main.js', [], env({ PORT: String(port), HOST: '127.0.0.1' }));
    try {
      const ready = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
        return res.status === 200 && res.json();
      });
      expect(ready).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    } finally {
      server.child.kill('SIGTERM');
    }
    const exited = await server.exited;
    expect(exited.code).toBe(0);
    const lines = exited.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.some((l) => l.reqId && l.req?.url === '/health/ready')).toBe(true);
  });

  it('the worker starts its consumers and stops cleanly on SIGTERM', async () => {
    const worker = RunningProcess.start('dist/workers/main.js', [], env());
    await waitFor(async () => worker.stdout.includes('worker started'));
    worker.child.kill('SIGTERM');
    const exited = await worker.exited;
    expect(exited.code).toBe(0);
    expect(exited.stdout).toContain('SIGTERM received, stopping');
  });
});
