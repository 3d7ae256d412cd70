import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config.js';
import { REDIS } from '../../src/redis/redis.module.js';
import { WEBHOOK_EVENTS, webhookEnvelope } from '../../src/webhooks/webhook-event-types.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { waitFor } from '../support/processes.js';
import { WebhookReceiver, verifiedEvent } from '../support/webhook-receiver.js';

// Delivery against real HTTP receivers on loopback, through a real worker: signatures as a
// receiver checks them (the standardwebhooks package), retries with the same webhook-id, final
// 4xx, timeouts, Redis losing the schedule, and tenants kept apart.
const ENV = {
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_RETRY_MAX_MS: '2000',
  WEBHOOK_CONNECT_TIMEOUT_MS: '1000',
  WEBHOOK_TIMEOUT_MS: '700',
  WEBHOOK_RECONCILE_EVERY_MS: '300',
};
const SETTLED_MS = 15_000;

describe('webhook delivery', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let receiver: WebhookReceiver;
  let tenant: Client;
  let endpoint: { id: string; secret: string };
  let other: { client: Client; receiver: WebhookReceiver; endpointId: string };
  let n = 0;

  const startWorker = (overrides: Record<string, string> = {}) =>
    NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...ENV, ...overrides })), { logger: false });
  const createMailbox = async (client = tenant, domain = 'hooks.test') => {
    const res = await client.post('/v1/mailboxes', { address: `box${++n}@${domain}`, password: GOOD_PASSWORD });
    expect(res.status).toBe(201);
    return res.body as { id: string; address: string };
  };
  const deliveryOf = (mailboxId: string, endpointId = endpoint.id) => api.db.webhookDelivery.findFirst({
    where: { endpointId, eventType: 'mailbox.created', body: { contains: mailboxId } }, include: { log: { orderBy: { attemptedAt: 'asc' } } },
  });
  const settled = (mailboxId: string, status: 'delivered' | 'failed') => waitFor(async () => {
    const row = await deliveryOf(mailboxId);
    return row?.status === status && row;
  }, SETTLED_MS);
  const requestsFor = (mailboxId: string, r = receiver) => r.requests.filter((q) => q.body.includes(mailboxId));

  beforeAll(async () => {
    api = await TestApi.start(ENV);
    receiver = await WebhookReceiver.start();
    const a = await api.resellerWithDomain('hooks.test');
    tenant = a.client;
    const created = await tenant.post('/v1/webhooks', { url: receiver.url(), events: ['mailbox.created'], description: 'CRM' });
    expect(created.status).toBe(201);
    endpoint = created.body;
    const b = await api.resellerWithDomain('other.test');
    const otherReceiver = await WebhookReceiver.start();
    const otherEndpoint = await b.client.post('/v1/webhooks', { url: otherReceiver.url() });
    expect(otherEndpoint.status).toBe(201);
    other = { client: b.client, receiver: otherReceiver, endpointId: otherEndpoint.body.id };
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await receiver?.close();
    await other?.receiver.close();
  });

  it('delivers a change signed per Standard Webhooks, in the documented shape, and logs the attempt', async () => {
    const mailbox = await createMailbox();
    const row = await settled(mailbox.id, 'delivered');
    const [request] = requestsFor(mailbox.id);
    expect(request.headers['content-type']).toBe('application/json');
    const [event] = [verifiedEvent(endpoint.secret, request)];
    const parsed = webhookEnvelope('mailbox.created', WEBHOOK_EVENTS['mailbox.created']).strict().parse(event);
    expect(parsed).toMatchObject({ id: row.eventId, type: 'mailbox.created', version: 1, resellerId: expect.any(String), data: { mailbox: { id: mailbox.id, address: mailbox.address } } });
    expect(request.headers['webhook-id']).toBe(row.eventId);
    expect(request.body).not.toMatch(/password|hash/i);
    expect(row.log).toEqual([expect.objectContaining({ statusCode: 200, error: null, response: 'ok' })]);

    const log = await tenant.get(`/v1/webhooks/${endpoint.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.items[0]).toMatchObject({ id: row.id, eventId: row.eventId, eventType: 'mailbox.created', status: 'delivered', attempts: [{ statusCode: 200, response: 'ok' }] });
  });

  it('500, 500, 200: three attempts of the same webhook-id, each in the log', async () => {
    receiver.answer = (r) => ({ status: receiver.countOf(r.body) < 2 ? 500 : 200, body: 'x' });
    const mailbox = await createMailbox();
    const row = await settled(mailbox.id, 'delivered');
    const requests = requestsFor(mailbox.id);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([row.eventId]));
    expect(row.log.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(row.attempts).toBe(3);
  });

  it('410 Gone is final at once: one attempt, the delivery failed, nothing scheduled', async () => {
    receiver.answer = () => ({ status: 410, body: 'gone' });
    const mailbox = await createMailbox();
    const row = await settled(mailbox.id, 'failed');
    expect(row).toMatchObject({ attempts: 1, nextAttemptAt: null, lastError: 'HTTP 410' });
    expect(requestsFor(mailbox.id)).toHaveLength(1);
    receiver.answer = () => ({ status: 200, body: 'ok' });
  });

  it('a slow receiver times out and is tried again', async () => {
    let slow = true;
    receiver.answer = () => (slow ? ((slow = false), { status: 200, delayMs: 3_000 }) : { status: 200, body: 'ok' });
    const mailbox = await createMailbox();
    const row = await settled(mailbox.id, 'delivered');
    expect(row.log.map((a) => [a.statusCode, a.error])).toEqual([[null, 'ETIMEDOUT'], [200, null]]);
    expect(row.log[0].latencyMs).toBeLessThan(2_000);
  });

  it('429 waits for Retry-After; a schedule Redis lost meanwhile is restored from the outbox by the reconciler', async () => {
    let failFirst = true;
    // The retry waits (Retry-After: 1 s) in a delayed job; then every key of this run is lost, as in
    // a FLUSHDB (this run's keys only: the Redis server is shared with other test runs).
    receiver.answer = () => (failFirst ? ((failFirst = false), { status: 429, headers: { 'retry-after': '1' } }) : { status: 200, body: 'ok' });
    const mailbox = await createMailbox();
    await waitFor(async () => (await deliveryOf(mailbox.id))?.log.length === 1);
    const redis = api.app.get<Redis>(REDIS);
    const prefix = redis.options.keyPrefix ?? '';
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    const row = await settled(mailbox.id, 'delivered');
    expect(row.log.map((a) => a.statusCode)).toEqual([429, 200]);
    // Retry-After: 1 was honoured (the ladder alone would have retried after ~100 ms).
    expect(row.log[1].attemptedAt.getTime() - row.log[0].attemptedAt.getTime()).toBeGreaterThanOrEqual(950);
    expect(requestsFor(mailbox.id)).toHaveLength(2);
  });

  it('a tenant\'s events never reach another tenant\'s endpoint', async () => {
    const mailbox = await createMailbox();
    await settled(mailbox.id, 'delivered');
    const mine = await other.client.post('/v1/mailboxes', { address: `x${++n}@other.test`, password: GOOD_PASSWORD });
    await waitFor(async () => other.receiver.requests.some((r) => r.body.includes(mine.body.id)));
    expect(other.receiver.requests.filter((r) => r.body.includes(mailbox.id))).toEqual([]);
    expect(await api.db.webhookDelivery.count({ where: { endpointId: other.endpointId, body: { contains: mailbox.id } } })).toBe(0);
    expect(requestsFor(mine.body.id)).toEqual([]);
  });

  it('during a rotation both secrets sign; a test event and a redelivery keep their webhook-id', async () => {
    const rotated = await tenant.post(`/v1/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const test = await tenant.post(`/v1/webhooks/${endpoint.id}/test`);
    expect(test.status).toBe(202);
    const request = await waitFor(async () => receiver.requests.find((r) => r.headers['webhook-id'] === test.body.eventId));
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated.body.secret]) {
      const [event] = [verifiedEvent(secret, request)];
      expect(event).toMatchObject({ id: test.body.eventId, type: 'webhook.test', data: { endpointId: endpoint.id } });
    }
    await waitFor(async () => (await api.db.webhookDelivery.findUnique({ where: { id: test.body.deliveryId } }))?.status === 'delivered');
    const again = await tenant.post(`/v1/webhooks/${endpoint.id}/deliveries/${test.body.deliveryId}/redeliver`);
    expect(again.status).toBe(202);
    await waitFor(async () => receiver.requests.filter((r) => r.headers['webhook-id'] === test.body.eventId).length === 2);
    const row = await waitFor(async () => {
      const d = await api.db.webhookDelivery.findUnique({ where: { id: test.body.deliveryId }, include: { log: true } });
      return d?.status === 'delivered' && d;
    });
    expect(row.log).toHaveLength(2);
    endpoint.secret = rotated.body.secret;
  });
});
