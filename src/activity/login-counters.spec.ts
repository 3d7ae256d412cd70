import { Redis } from 'ioredis';
import { loadConfig } from '../config/config.js';
import { LoginCounters, type LoginEvent } from './login-counters.js';
import { DEFAULT_LOGIN_RULES, mergeRules } from './login-rules.js';

// The sliding windows, on the real Redis, with explicit clocks: an event counts while
// now - t < window, and a block doubles on repeat.
describe('LoginCounters (Redis)', () => {
  const config = loadConfig();
  const redis = new Redis(config.REDIS_URL, { keyPrefix: `${config.REDIS_KEY_PREFIX}counters-spec:` });
  const counters = new LoginCounters(redis);
  const WINDOW_MS = DEFAULT_LOGIN_RULES.failuresPerIp.windowSeconds * 1000;
  const T0 = 1_800_000_000_000;
  const failure = (at: number, login = 'a@example.test', remoteIp = '192.0.2.1'): LoginEvent =>
    ({ login, remoteIp, protocol: 'imap', outcome: 'failure', source: 'dovecot', at });

  beforeEach(async () => {
    const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}counters-spec:*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(`${config.REDIS_KEY_PREFIX}counters-spec:`.length)));
  });
  afterAll(() => redis.quit());

  it('counts failures within the window and forgets one exactly a window old', async () => {
    await counters.record(failure(T0), null, DEFAULT_LOGIN_RULES);
    expect((await counters.record(failure(T0 + WINDOW_MS - 1), null, DEFAULT_LOGIN_RULES)).ipFailures).toBe(2);
    // At T0 + window the first failure is exactly a window old: out.
    expect((await counters.record(failure(T0 + WINDOW_MS), null, DEFAULT_LOGIN_RULES)).ipFailures).toBe(2);
    expect((await counters.record(failure(T0 + 2 * WINDOW_MS + 5), null, DEFAULT_LOGIN_RULES)).ipFailures).toBe(1);
  });

  it('counts distinct accounts per IP for spraying, and failures per account across IPs', async () => {
    let counts;
    for (let i = 0; i < 4; i++) counts = await counters.record(failure(T0 + i, `u${i % 3}@example.test`), null, DEFAULT_LOGIN_RULES);
    expect(counts!.ipDistinctAccounts).toBe(3);
    for (let i = 0; i < 3; i++) counts = await counters.record(failure(T0 + 10 + i, 'v@example.test', `198.51.100.${i}`), null, DEFAULT_LOGIN_RULES);
    expect(counts!.accountFailures).toBe(3);
    expect(await counters.recentIpsOf('v@example.test')).toHaveLength(3);
  });

  it('remembers networks per account for the new-network rule', async () => {
    const success = (at: number): LoginEvent => ({ ...failure(at), outcome: 'success' });
    expect(await counters.record(success(T0), '192.0.2.0/24', DEFAULT_LOGIN_RULES)).toMatchObject({ networkSeen: false, knownNetworks: 0 });
    expect(await counters.record(success(T0 + 1), '192.0.2.0/24', DEFAULT_LOGIN_RULES)).toMatchObject({ networkSeen: true, knownNetworks: 1 });
    expect(await counters.record(success(T0 + 2), '198.51.100.0/24', DEFAULT_LOGIN_RULES)).toMatchObject({ networkSeen: false, knownNetworks: 1 });
    // After the memory window, the old network is forgotten.
    const later = T0 + DEFAULT_LOGIN_RULES.newNetwork.windowSeconds * 1000 + 2;
    expect(await counters.record(success(later), '192.0.2.0/24', DEFAULT_LOGIN_RULES)).toMatchObject({ networkSeen: false, knownNetworks: 0 });
  });

  it('fires a rule once per subject while its block lasts, and blocks longer on repeat', async () => {
    const rule = mergeRules({ failuresPerIp: { blockSeconds: 60 } }).failuresPerIp;
    const subject = { kind: 'ip' as const, value: '192.0.2.9' };
    expect(await counters.fire('failuresPerIp', rule, subject, 'reject')).toBe(60);
    expect(await counters.fire('failuresPerIp', rule, subject, 'reject')).toBeNull();
    expect(await counters.blocks('192.0.2.9', 'x@example.test')).toEqual({ ipBlock: 'reject', tenantIpBlock: null, accountBlock: null, locked: false });
    await redis.del('auth:fired:failuresPerIp:ip:192.0.2.9');
    expect(await counters.fire('failuresPerIp', rule, subject, 'reject')).toBe(120);
    expect(await redis.pttl('auth:block:ip:192.0.2.9')).toBeGreaterThan(60_000);
  });
  it("keeps a tenant's reports in its own IP windows and blocks the IP for that tenant's domains only", async () => {
    const rule = mergeRules({ failuresPerIp: { blockSeconds: 60 } }).failuresPerIp;
    const ip = '192.0.2.20';
    let counts;
    for (let i = 0; i < 3; i++) counts = await counters.record({ ...failure(T0 + i, 'a@tenant-a.test', ip), resellerId: 'tenant-a' }, null, DEFAULT_LOGIN_RULES);
    expect(counts!.ipFailures).toBe(3);
    // The platform's window for that IP saw nothing: a Dovecot report starts at 1.
    expect((await counters.record(failure(T0 + 5, 'b@tenant-b.test', ip), null, DEFAULT_LOGIN_RULES)).ipFailures).toBe(1);
    expect(await counters.recentAccountsOf(ip, 'tenant-a')).toEqual(['a@tenant-a.test']);
    expect(await counters.recentAccountsOf(ip)).toEqual(['b@tenant-b.test']);

    const subject = { kind: 'ip' as const, value: ip };
    const tenant = { resellerId: 'tenant-a', domains: async () => ['tenant-a.test', 'second-a.test'] };
    expect(await counters.fire('failuresPerIp', rule, subject, 'reject', tenant)).toBe(60);
    expect(await counters.fire('failuresPerIp', rule, subject, 'reject', tenant)).toBeNull();
    expect((await counters.blocks(ip, 'a@tenant-a.test')).tenantIpBlock).toBe('reject');
    expect((await counters.blocks(ip, 'z@second-a.test')).tenantIpBlock).toBe('reject');
    expect(await counters.blocks(ip, 'b@tenant-b.test')).toEqual({ ipBlock: null, tenantIpBlock: null, accountBlock: null, locked: false });
    // The tenant's guard is its own: the platform's rule still fires on that IP.
    expect(await counters.fire('failuresPerIp', rule, subject, 'reject')).toBe(60);
    expect((await counters.blocks(ip, 'b@tenant-b.test')).ipBlock).toBe('reject');
  });
});
