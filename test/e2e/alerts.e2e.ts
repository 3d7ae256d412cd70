import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { authPolicyClientSettings } from '../../src/activity/auth-policy-settings.js';
import { AUTH_POLICY_HEADER, AUTH_POLICY_PATH } from '../../src/activity/auth-policy-settings.js';
import { AlertsService } from '../../src/alerts/alerts.service.js';
import { createApiApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import { REDIS } from '../../src/redis/redis.module.js';
import { Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { waitFor } from '../support/processes.js';

// Alerts (raise, list, acknowledge, resolve) and the login events other services post.
describe('alerts and POST /v1/events', () => {
  let api: TestApi;
  let alerts: AlertsService;
  let owner: { id: string; client: Client; domainId: string };
  let other: { id: string; client: Client; domainId: string };
  let mailboxId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    alerts = api.app.get(AlertsService);
    owner = await api.resellerWithDomain('owner.test');
    other = await api.resellerWithDomain('other.test');
    await api.admin.patch(`/v1/domains/${owner.domainId}`, { status: 'active' });
    mailboxId = (await owner.client.post('/v1/mailboxes', { address: 'box@owner.test', password: GOOD_PASSWORD })).body.id;
  });
  afterAll(() => api?.close());

  const raise = (extra: Partial<Parameters<AlertsService['raise']>[0]> = {}) =>
    alerts.raise({ resellerId: owner.id, mailboxId, rule: 'login.new_network', severity: 'info', summary: 's', evidence: { n: 1 }, ...extra });

  it('keeps one unresolved alert per dedupe key, even when raised concurrently, and refreshes its evidence', async () => {
    const raised = await Promise.all([1, 2, 3].map((n) => raise({ dedupeKey: 'k1', evidence: { n }, actions: [{ type: 'alert', n }] })));
    expect(new Set(raised.map((a) => a.id)).size).toBe(1);
    const rows = await api.db.alert.findMany({ where: { dedupeKey: 'k1' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.evidence).toMatchObject({ occurrences: 3 });
    expect(rows[0]!.actions).toHaveLength(3);
  });

  it('lists a tenant its own alerts, newest first, with filters and cursors; the platform sees all', async () => {
    await alerts.raise({ resellerId: other.id, rule: 'login.failures_per_ip', severity: 'warning', summary: 'theirs', evidence: {} });
    await raise({ rule: 'login.failures_per_ip', severity: 'warning' });
    const first = await owner.client.get('/v1/alerts?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([expect.objectContaining({ rule: 'login.failures_per_ip', resellerId: owner.id, state: 'open' })]);
    const second = await owner.client.get(`/v1/alerts?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ rule: 'login.new_network', evidence: expect.objectContaining({ occurrences: 3 }) })], nextCursor: null });
    expect((await owner.client.get('/v1/alerts?rule=login.new_network')).body.items).toHaveLength(1);
    expect((await owner.client.get(`/v1/alerts?mailboxId=${mailboxId}&state=resolved`)).body.items).toHaveLength(0);
    expect((await api.admin.get('/v1/alerts')).body.items).toHaveLength(3);
    expect((await owner.client.get('/v1/alerts?cursor=bm9wZQ')).body.errors).toEqual([expect.objectContaining({ field: 'cursor', code: 'invalid_cursor' })]);
    expect((await owner.client.get('/v1/alerts?state=closed')).status).toBe(422);
  });

  it("keeps an alert per owner: the same dedupe key raised for two tenants and the platform is three alerts, each refreshed alone", async () => {
    const raiseFor = (resellerId: string | null, n: number) =>
      alerts.raise({ resellerId, rule: 'login.failures_per_ip', severity: 'warning', summary: `s${n}`, evidence: { n }, dedupeKey: 'k-owner' });
    const [ownerFirst, otherFirst, platformFirst] = [await raiseFor(owner.id, 1), await raiseFor(other.id, 2), await raiseFor(null, 3)];
    expect(new Set([ownerFirst.id, otherFirst.id, platformFirst.id]).size).toBe(3);
    await Promise.all([raiseFor(null, 4), raiseFor(null, 5)]);
    const rows = await api.db.alert.findMany({ where: { dedupeKey: 'k-owner' } });
    const byOwner = new Map(rows.map((row) => [row.resellerId, row]));
    expect(rows).toHaveLength(3);
    expect(byOwner.get(owner.id)!.evidence).toEqual({ n: 1, occurrences: 1 });
    expect(byOwner.get(other.id)!.evidence).toEqual({ n: 2, occurrences: 1 });
    expect(byOwner.get(null)!.evidence).toMatchObject({ occurrences: 3 });
  });

  it('acknowledges and resolves an alert (audited); resolved is final and a repeat opens a new one', async () => {
    const alert = await raise({ dedupeKey: 'k2' });
    const ack = await owner.client.patch(`/v1/alerts/${alert.id}`, { state: 'acknowledged' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedAt: expect.any(String), resolvedAt: null });
    expect((await raise({ dedupeKey: 'k2' })).id).toBe(alert.id);
    expect((await owner.client.patch(`/v1/alerts/${alert.id}`, { state: 'resolved' })).body).toMatchObject({ state: 'resolved', resolvedAt: expect.any(String) });
    const reopen = await owner.client.patch(`/v1/alerts/${alert.id}`, { state: 'acknowledged' });
    expect(reopen.status).toBe(409);
    expect(reopen.body.code).toBe('alert_resolved');
    expect((await owner.client.patch(`/v1/alerts/${alert.id}`, { state: 'open' })).status).toBe(422);
    expect((await raise({ dedupeKey: 'k2' })).id).not.toBe(alert.id);
    const audit = await api.db.auditEntry.findMany({ where: { targetId: alert.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => [a.action, a.resellerId])).toEqual([['alert.acknowledge', owner.id], ['alert.resolve', owner.id]]);
    expect((await api.db.alert.findUniqueOrThrow({ where: { id: alert.id } })).state).toBe('resolved');
  });

  it('takes login events for the tenant mailboxes only and applies the same rules', async () => {
    const event = { type: 'login', login: 'Box@owner.test', remoteIp: '192.0.2.50', protocol: 'webmail', success: false };
    const replies = [];
    for (let i = 0; i < 10; i++) replies.push(await owner.client.post('/v1/events', event));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(replies[9]!.body).toEqual({ recorded: true, fired: ['failuresPerIp'] });
    const alert = await waitFor(async () => api.db.alert.findFirst({ where: { rule: 'login.failures_per_ip', dedupeKey: 'login.failures_per_ip:ip:192.0.2.50' } }) ?? undefined);
    expect(alert!.resellerId).toBe(owner.id);
    const rows = await waitFor(async () => {
      const found = await api.db.loginEvent.findMany({ where: { mailboxId, source: 'events' } });
      return found.length === 10 ? found : undefined;
    });
    expect(rows[0]).toMatchObject({ login: 'box@owner.test', protocol: 'webmail', result: 'failure', remoteIp: '192.0.2.50' });

    const foreign = await other.client.post('/v1/events', event);
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors).toEqual([expect.objectContaining({ field: 'login', code: 'unknown_mailbox' })]);
    const readOnly = await api.keyLike(owner.client, { readOnly: true });
    expect((await readOnly.post('/v1/events', event)).status).toBe(403);
    expect((await owner.client.post('/v1/events', { ...event, remoteIp: 'nowhere' })).status).toBe(422);
  });

  it('fails open when Redis is gone: the allow check answers 0 without waiting', async () => {
    const secret = authPolicyClientSettings(loadConfig()).secret;
    const hook = (body: object) => api.client().post(`${AUTH_POLICY_PATH}?command=allow`, body, { [AUTH_POLICY_HEADER]: secret });
    expect((await hook({ login: 'box@owner.test', remote: '192.0.2.50', protocol: 'imap' })).body).toEqual({ status: -1, msg: 'Login refused by policy.' });
    api.app.get<Redis>(REDIS).disconnect();
    expect((await hook({ login: 'box@owner.test', remote: '192.0.2.50', protocol: 'imap' })).body).toEqual({ status: 0, msg: '' });
  });

  it('fails closed with AUTH_POLICY_FAIL_CLOSED=true: with Redis gone the allow check answers -1, with a warning logged', async () => {
    const logged: string[] = [];
    const capture = (chunk: unknown) => (logged.push(String(chunk)), true);
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    // An API process of its own (same database and Redis), so only its Redis connection goes.
    const app = await createApiApp(loadConfig({ ...process.env, AUTH_POLICY_FAIL_CLOSED: 'true', LOG_LEVEL: 'warn' }));
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const client = new Client(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
      const secret = authPolicyClientSettings(loadConfig()).secret;
      const login = { login: 'box@owner.test', remote: '192.0.2.77', protocol: 'imap' };
      const hook = () => client.post(`${AUTH_POLICY_PATH}?command=allow`, login, { [AUTH_POLICY_HEADER]: secret });
      // Nothing blocks this IP: once Redis is connected, the login is accepted.
      const redis = app.get<Redis>(REDIS);
      await waitFor(async () => redis.status === 'ready');
      expect((await hook()).body).toEqual({ status: 0, msg: '' });
      redis.disconnect();
      expect((await hook()).body).toEqual({ status: -1, msg: 'Login refused by policy.' });
      const warnings = logged.flatMap((chunk) => chunk.trim().split('\n')).map((line) => JSON.parse(line)).filter((entry) => entry.level === 'warn');
      expect(warnings).toContainEqual(expect.objectContaining({
        message: 'auth-policy: Redis unavailable, failing closed', context: 'AuthPolicyService', login: 'box@owner.test', remoteIp: '192.0.2.77',
      }));
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      await app.close();
    }
  });
});
