import type { Redis } from 'ioredis';
import { AUTH_POLICY_HEADER, AUTH_POLICY_PATH } from '../../src/activity/auth-policy-settings.js';
import type { MailServicesConfig } from '../../src/mail-services/mail-services-config.renderer.js';
import { REDIS } from '../../src/redis/redis.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { TestDovecot } from '../support/dovecot.js';
import { waitFor } from '../support/processes.js';

const WRONG = 'Not-The-Password-123!';

// Issue 7 with the real thing: Dovecot 2.3 calls the auth-policy hook of the running API for every
// IMAP login; the rules block, alert and lock with the default thresholds.
describe('login monitoring with a real Dovecot', () => {
  let api: TestApi;
  let config: MailServicesConfig;
  let dovecot: TestDovecot;
  let tenant: { id: string; client: Client; domainId: string };
  let redis: Redis;

  async function mailbox(address: string): Promise<string> {
    const res = await tenant.client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const alertsOf = (rule: string) => api.db.alert.findMany({ where: { rule } });

  beforeAll(async () => {
    api = await TestApi.start();
    redis = api.app.get<Redis>(REDIS);
    config = (await api.admin.get('/v1/mail-services/config')).body;
    dovecot = await TestDovecot.start(config, { authPolicyUrl: `${api.baseUrl}${AUTH_POLICY_PATH}` });
    tenant = await api.resellerWithDomain('mon.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
  });
  afterAll(async () => {
    await dovecot?.stop();
    await api?.close();
  });

  it('generates the auth-policy block with the shared header, which the hook requires', async () => {
    const block = config.dovecot.authPolicyConf.content;
    const secret = /^auth_policy_server_api_header = X-Postmaster-Auth-Policy: (\S+)$/m.exec(block)?.[1];
    expect(secret).toHaveLength(43);
    expect(block).toContain('auth_policy_request_attributes = login=%{requested_username} remote=%{rip} protocol=%s');
    const body = { login: 'x@mon.test', remote: '192.0.2.1', protocol: 'imap' };
    const client = api.client();
    expect((await client.post(`${AUTH_POLICY_PATH}?command=allow`, body)).body).toMatchObject({ code: 'invalid_auth_policy_secret', status: 401 });
    expect((await client.post(`${AUTH_POLICY_PATH}?command=allow`, body, { [AUTH_POLICY_HEADER]: `${secret}x` })).status).toBe(401);
    expect((await client.post(`${AUTH_POLICY_PATH}?command=allow`, body, { [AUTH_POLICY_HEADER]: secret! })).body).toEqual({ status: 0, msg: '' });
    expect((await client.post(`${AUTH_POLICY_PATH}?command=launch`, body, { [AUTH_POLICY_HEADER]: secret! })).status).toBe(422);
  });

  it('blocks an IP after 10 failures, even with the right password, and not another address', async () => {
    const victimId = await mailbox('victim@mon.test');
    await mailbox('bystander@mon.test');
    for (let i = 0; i < 10; i++) expect(await dovecot.imapLogin('victim@mon.test', WRONG, '127.0.0.1')).toBe(false);
    const [alert] = await waitFor(async () => {
      const alerts = await alertsOf('login.failures_per_ip');
      return alerts.length ? alerts : undefined;
    });
    expect(await dovecot.imapLogin('victim@mon.test', GOOD_PASSWORD, '127.0.0.1')).toBe(false);
    expect(await dovecot.imapLogin('bystander@mon.test', GOOD_PASSWORD, '127.0.0.2')).toBe(true);

    expect(alert).toMatchObject({
      resellerId: tenant.id, mailboxId: null, severity: 'warning', state: 'open',
      dedupeKey: 'login.failures_per_ip:ip:127.0.0.1',
      evidence: expect.objectContaining({ remoteIp: '127.0.0.1', failures: 10, accounts: ['victim@mon.test'], occurrences: 1 }),
      actions: [expect.objectContaining({ type: 'reject', seconds: 1800, subject: { kind: 'ip', value: '127.0.0.1' } })],
    });
    // The logins reach PostgreSQL off the request path: 10 failures, then the refusal.
    const events = await waitFor(async () => {
      const rows = await api.db.loginEvent.findMany({ where: { mailboxId: victimId }, orderBy: { id: 'asc' } });
      return rows.length === 11 ? rows : undefined;
    });
    // Dovecot sends its reports without waiting for them, so their order is not the logins' order.
    expect(events.map((e) => e.result).sort()).toEqual([...Array(10).fill('failure'), 'rejected']);
    expect(events[0]).toMatchObject({ remoteIp: '127.0.0.1', protocol: 'imap', source: 'dovecot', login: 'victim@mon.test' });

    const activity = await tenant.client.get(`/v1/activity?mailboxId=${victimId}&limit=2`);
    expect(activity.status).toBe(200);
    expect(activity.body).toMatchObject({
      mailbox: { id: victimId, address: 'victim@mon.test', loginLockedAt: null },
      sending: { lastHour: { messages: 0, recipients: 0 }, lastDay: { messages: 0, recipients: 0 } },
    });
    expect(activity.body.logins).toHaveLength(2);
    expect(activity.body.logins[0]).toMatchObject({ remoteIp: '127.0.0.1', protocol: 'imap' });
    const next = await tenant.client.get(`/v1/activity?mailboxId=${victimId}&limit=200&cursor=${activity.body.nextCursor}`);
    expect(next.body.logins).toHaveLength(9);
    const pages = [...activity.body.logins, ...next.body.logins].map((login: { result: string }) => login.result);
    expect(pages.sort()).toEqual([...Array(10).fill('failure'), 'rejected']);
    const other = await api.reseller({}, 'Other');
    expect((await other.client.get(`/v1/activity?mailboxId=${victimId}`)).status).toBe(404);
  });

  it('raises the spraying alert for one address failing against 20 accounts', async () => {
    const accounts = Array.from({ length: 20 }, (_, i) => `spray${i}@mon.test`);
    for (const address of accounts) await mailbox(address);
    for (const address of accounts) expect(await dovecot.imapLogin(address, WRONG, '127.0.0.3')).toBe(false);
    const [alert] = await waitFor(async () => {
      const alerts = await alertsOf('login.password_spraying');
      return alerts.length ? alerts : undefined;
    });
    expect(alert).toMatchObject({ resellerId: tenant.id, severity: 'critical', evidence: expect.objectContaining({ remoteIp: '127.0.0.3', distinctAccounts: 10 }) });
    expect((alert!.evidence as { accounts: string[] }).accounts.sort()).toEqual(accounts.slice(0, 10).sort());
  });

  it('raises the new-network alert for a success from a /24 the account never used', async () => {
    const id = await mailbox('traveller@mon.test');
    expect(await dovecot.imapLogin('traveller@mon.test', GOOD_PASSWORD, '127.0.4.1')).toBe(true);
    await waitFor(async () => (await redis.exists('auth:nets:traveller@mon.test')) === 1);
    expect(await dovecot.imapLogin('traveller@mon.test', GOOD_PASSWORD, '127.0.4.9')).toBe(true);
    expect(await dovecot.imapLogin('traveller@mon.test', GOOD_PASSWORD, '127.0.5.1')).toBe(true);
    const [alert] = await waitFor(async () => {
      const alerts = await alertsOf('login.new_network');
      return alerts.length ? alerts : undefined;
    });
    expect(alert).toMatchObject({ mailboxId: id, resellerId: tenant.id, domainId: tenant.domainId, severity: 'info', evidence: expect.objectContaining({ network: '127.0.5.0/24', knownNetworks: 1 }) });
    expect(await alertsOf('login.new_network')).toHaveLength(1);
  });

  it('locks a mailbox for login: Dovecot refuses it through the view and the hook, until the audited unlock', async () => {
    const id = await mailbox('locked@mon.test');
    const lock = await tenant.client.put(`/v1/mailboxes/${id}/login-lock`, { reason: 'phished' });
    expect(lock.status).toBe(200);
    expect(lock.body).toMatchObject({ mailboxId: id, loginLocked: true, reason: 'phished' });
    expect(await dovecot.imapLogin('locked@mon.test', GOOD_PASSWORD, '127.0.0.6')).toBe(false);
    // Without the Redis copy, the passdb view alone still refuses.
    await redis.del('auth:locked:locked@mon.test');
    expect(await dovecot.imapLogin('locked@mon.test', GOOD_PASSWORD, '127.0.0.6')).toBe(false);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).loginLockedReason).toBe('phished');

    const readOnly = await api.keyLike(tenant.client, { readOnly: true });
    expect((await readOnly.delete(`/v1/mailboxes/${id}/login-lock`)).status).toBe(403);
    expect((await tenant.client.delete(`/v1/mailboxes/${id}/login-lock`)).status).toBe(204);
    expect(await dovecot.imapLogin('locked@mon.test', GOOD_PASSWORD, '127.0.0.6')).toBe(true);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).loginLockedAt).toBeNull();
    const audit = await api.db.auditEntry.findMany({ where: { targetId: id, action: { in: ['mailbox.lock_login', 'mailbox.unlock_login'] } }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['mailbox.lock_login', 'mailbox.unlock_login']);
  });
});
