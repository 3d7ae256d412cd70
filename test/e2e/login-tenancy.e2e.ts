import type { Redis } from 'ioredis';
import { AUTH_POLICY_HEADER, AUTH_POLICY_PATH, authPolicyClientSettings } from '../../src/activity/auth-policy-settings.js';
import { loadConfig } from '../../src/config/config.js';
import { REDIS } from '../../src/redis/redis.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { waitFor } from '../support/processes.js';

const REFUSED = { status: -1, msg: 'Login refused by policy.' };
const ACCEPTED = { status: 0, msg: '' };
const FAILURES_PER_IP = 10;

// Issue 11, items 2 and 3: login monitoring stays inside its tenant. A tenant's own reports block
// an IP for that tenant's accounts only; an IP attacking two tenants gives each an alert about its
// own accounts, and the platform one about all of them.
describe('login monitoring across tenants', () => {
  let api: TestApi;
  let redis: Redis;
  let a: { id: string; client: Client; domainId: string };
  let b: { id: string; client: Client; domainId: string };
  const secret = authPolicyClientSettings(loadConfig()).secret;
  const hook = async (command: 'allow' | 'report', body: object) => {
    const res = await api.client().post(`${AUTH_POLICY_PATH}?command=${command}`, body, { [AUTH_POLICY_HEADER]: secret });
    expect(res.status).toBe(200);
    return res.body;
  };
  const allow = (login: string, remote: string) => hook('allow', { login, remote, protocol: 'imap' });
  const alertsAbout = (ip: string) => api.db.alert.findMany({ where: { dedupeKey: `login.failures_per_ip:ip:${ip}` }, orderBy: { createdAt: 'asc' } });

  async function activeDomain(client: Client, name: string): Promise<string> {
    const domain = await client.post('/v1/domains', { name });
    expect(domain.status).toBe(201);
    expect((await api.admin.patch(`/v1/domains/${domain.body.id}`, { status: 'active' })).status).toBe(200);
    return domain.body.id;
  }
  async function mailbox(client: Client, address: string): Promise<void> {
    expect((await client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD })).status).toBe(201);
  }

  beforeAll(async () => {
    api = await TestApi.start();
    redis = api.app.get<Redis>(REDIS);
    a = await api.resellerWithDomain('tenant-a.test');
    b = await api.resellerWithDomain('tenant-b.test');
    for (const tenant of [a, b]) expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    await activeDomain(a.client, 'second-a.test');
    await mailbox(a.client, 'box@tenant-a.test');
    await mailbox(a.client, 'other@second-a.test');
    await mailbox(b.client, 'box@tenant-b.test');
    await mailbox(b.client, 'else@tenant-b.test');
  });
  afterAll(() => api?.close());

  it("blocks an IP a tenant reports for that tenant's own accounts only, never for another tenant's", async () => {
    const ip = '198.51.100.7';
    const event = { type: 'login', login: 'box@tenant-a.test', remoteIp: ip, protocol: 'webmail', success: false };
    const replies = [];
    for (let i = 0; i < FAILURES_PER_IP; i++) replies.push(await a.client.post('/v1/events', event));
    expect(replies.map((r) => r.status)).toEqual(Array(FAILURES_PER_IP).fill(202));
    expect(replies.at(-1)!.body).toEqual({ recorded: true, fired: ['failuresPerIp'] });

    // The tenant's own effect: its accounts, in every one of its domains, refuse that IP.
    expect(await allow('box@tenant-a.test', ip)).toEqual(REFUSED);
    expect(await allow('Other@Second-A.test', ip)).toEqual(REFUSED);
    // Another tenant's accounts (and the platform) are untouched.
    expect(await allow('box@tenant-b.test', ip)).toEqual(ACCEPTED);
    expect(await redis.exists(`auth:block:ip:${ip}`)).toBe(0);

    const [alert] = await waitFor(async () => {
      const alerts = await alertsAbout(ip);
      return alerts.length ? alerts : undefined;
    });
    expect(alert).toMatchObject({
      resellerId: a.id, state: 'open', summary: `${FAILURES_PER_IP} failed logins from ${ip}`,
      evidence: expect.objectContaining({ remoteIp: ip, failures: FAILURES_PER_IP, accounts: ['box@tenant-a.test'] }),
      actions: [expect.objectContaining({ type: 'reject', scope: 'tenant', seconds: 1800, subject: { kind: 'ip', value: ip } })],
    });
    expect(await alertsAbout(ip)).toHaveLength(1);

    // Dovecot's own reports of that IP against B still count from zero on the platform: nine more do not block it.
    for (let i = 0; i < FAILURES_PER_IP - 1; i++) await hook('report', { login: 'box@tenant-b.test', remote: ip, protocol: 'imap', success: false });
    expect(await allow('box@tenant-b.test', ip)).toEqual(ACCEPTED);
  });

  it("gives each tenant an IP attacks its own alert with its own accounts, and the platform the whole; the hook's reports block it platform-wide", async () => {
    const ip = '203.0.113.9';
    const targets = ['box@tenant-a.test', 'box@tenant-b.test'];
    for (let i = 0; i < FAILURES_PER_IP; i++) {
      await hook('report', { login: targets[i % 2], remote: ip, protocol: 'imap', success: false });
    }
    expect(await allow('else@tenant-b.test', ip)).toEqual(REFUSED);
    expect(await allow('other@second-a.test', ip)).toEqual(REFUSED);
    expect(await redis.get(`auth:block:ip:${ip}`)).toBe('reject');

    const alerts = await waitFor(async () => {
      const found = await alertsAbout(ip);
      return found.length === 3 ? found : undefined;
    });
    const byOwner = new Map(alerts.map((alert) => [alert.resellerId, alert]));
    expect([...byOwner.keys()].sort()).toEqual([a.id, b.id, null].sort());
    expect(byOwner.get(a.id)).toMatchObject({
      state: 'open', summary: `failed logins from ${ip} to 1 of this tenant's accounts`,
      actions: [expect.objectContaining({ type: 'reject', scope: 'platform', subject: { kind: 'ip', value: ip } })],
    });
    // No count or attempt of B's in A's evidence.
    expect(byOwner.get(a.id)!.evidence).toEqual({
      remoteIp: ip, distinctAccounts: 1, accounts: ['box@tenant-a.test'], occurrences: 1, rule: { threshold: FAILURES_PER_IP, windowSeconds: 600 },
    });
    // The last attempt was against B's account: it is in B's evidence, not in A's.
    expect(byOwner.get(b.id)).toMatchObject({
      evidence: { remoteIp: ip, distinctAccounts: 1, accounts: ['box@tenant-b.test'], occurrences: 1, rule: expect.any(Object), lastAttempt: expect.objectContaining({ login: 'box@tenant-b.test' }) },
    });
    const platform = byOwner.get(null)!;
    expect(platform).toMatchObject({ summary: `${FAILURES_PER_IP} failed logins from ${ip}`, evidence: expect.objectContaining({ failures: FAILURES_PER_IP, distinctAccounts: 2 }) });
    expect((platform.evidence as { accounts: string[] }).accounts.sort()).toEqual(targets);

    // Each tenant lists its own alert only.
    const listed = await a.client.get('/v1/alerts?rule=login.failures_per_ip');
    expect(listed.status).toBe(200);
    const own = await api.db.alert.findMany({ where: { resellerId: a.id, rule: 'login.failures_per_ip' } });
    expect(listed.body.items.map((item: { id: string }) => item.id).sort()).toEqual(own.map((alert) => alert.id).sort());
    expect(own.map((alert) => alert.id)).toContain(byOwner.get(a.id)!.id);
    expect(JSON.stringify(listed.body)).not.toContain('tenant-b.test');
  });

  it('lets a platform key report logins platform-wide', async () => {
    const ip = '192.0.2.99';
    const event = { type: 'login', login: 'box@tenant-a.test', remoteIp: ip, protocol: 'webmail', success: false };
    for (let i = 0; i < FAILURES_PER_IP; i++) expect((await api.admin.post('/v1/events', event)).status).toBe(202);
    expect(await allow('box@tenant-b.test', ip)).toEqual(REFUSED);
    const [alert] = await waitFor(async () => {
      const alerts = await alertsAbout(ip);
      return alerts.length ? alerts : undefined;
    });
    expect(alert).toMatchObject({ resellerId: a.id, actions: [expect.objectContaining({ scope: 'platform' })] });
  });
});
