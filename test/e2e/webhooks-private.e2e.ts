import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { waitFor } from '../support/processes.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

// No webhook reaches a private address unless the operator listed its range: refused when the
// endpoint is created, and again on every attempt (the worker checks the resolved address itself).
// An endpoint that keeps failing for long enough is disabled and its tenant alerted (and e-mailed).
const ENV = { WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '200', WEBHOOK_RECONCILE_EVERY_MS: '300' };

describe('webhooks and private destinations', () => {
  let api: TestApi;
  let strict: NestFastifyApplication;
  let strictTenant: Client;
  let tenant: { id: string; client: Client };
  let receiver: WebhookReceiver;
  let worker: INestApplicationContext | undefined;

  const startWorker = (overrides: Record<string, string>) =>
    NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...ENV, ...overrides })), { logger: false });

  beforeAll(async () => {
    // The API allows loopback and 10/8 (so endpoints there can exist); a second API on the same
    // database allows nothing, as a production install.
    api = await TestApi.start({ ...ENV, PRIVATE_DESTINATIONS_ALLOWED: '127.0.0.0/8,10.0.0.0/8' });
    strict = await createApiApp(loadConfig({ ...process.env, ...ENV, PRIVATE_DESTINATIONS_ALLOWED: '' }));
    await strict.listen({ port: 0, host: '127.0.0.1' });
    tenant = await api.resellerWithDomain('private.test');
    strictTenant = new Client(`http://127.0.0.1:${(strict.getHttpServer().address() as AddressInfo).port}`, tenant.client.key);
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await worker?.close();
    await strict?.close();
    await api?.close();
    await receiver?.close();
  });

  it.each(['http://127.0.0.1:8080/hook', 'https://127.0.0.1/hook', 'https://10.0.0.1/hook', 'http://[::1]/hook', 'https://[::ffff:10.0.0.1]/'])(
    'refuses %s at creation without the allow-list (422 private_destination), writing nothing', async (url) => {
      const res = await strictTenant.post('/v1/webhooks', { url });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'url', code: 'private_destination' })]);
      expect(await api.db.webhookEndpoint.count()).toBe(0);
    });

  it('refuses at delivery too: a worker without the allow-list never connects, and logs EPRIVATEDEST', async () => {
    const local = await tenant.client.post('/v1/webhooks', { url: receiver.url(), events: ['mailbox.created'] });
    const tenNet = await tenant.client.post('/v1/webhooks', { url: 'https://10.0.0.1/hook', events: ['mailbox.created'] });
    expect([local.status, tenNet.status]).toEqual([201, 201]);
    worker = await startWorker({ PRIVATE_DESTINATIONS_ALLOWED: '' });
    expect((await tenant.client.post('/v1/mailboxes', { address: 'ann@private.test', password: GOOD_PASSWORD })).status).toBe(201);
    for (const endpointId of [local.body.id, tenNet.body.id]) {
      const attempts = await waitFor(async () => {
        const rows = await api.db.webhookAttempt.findMany({ where: { delivery: { endpointId } } });
        return rows.length >= 2 && rows;
      });
      expect(attempts.every((a) => a.error === 'EPRIVATEDEST' && a.statusCode === null)).toBe(true);
    }
    expect(receiver.requests).toEqual([]);
    await worker.close();
    worker = undefined;
    await tenant.client.delete(`/v1/webhooks/${tenNet.body.id}`);
    await tenant.client.delete(`/v1/webhooks/${local.body.id}`);
  });

  it('an endpoint failing for WEBHOOK_DISABLE_AFTER_MS is disabled, and its tenant alerted by e-mail', async () => {
    expect((await api.admin.patch(`/v1/resellers/${tenant.id}`, { notificationEmail: 'ops@private.test' })).status).toBe(200);
    receiver.answer = () => ({ status: 503, body: 'down' });
    const endpoint = await tenant.client.post('/v1/webhooks', { url: receiver.url(), events: ['mailbox.created'] });
    worker = await startWorker({ PRIVATE_DESTINATIONS_ALLOWED: '127.0.0.0/8', WEBHOOK_DISABLE_AFTER_MS: '500' });
    expect((await tenant.client.post('/v1/mailboxes', { address: 'bob@private.test', password: GOOD_PASSWORD })).status).toBe(201);
    const disabled = await waitFor(async () => {
      const row = await api.db.webhookEndpoint.findUnique({ where: { id: endpoint.body.id } });
      return row?.enabled === false && row;
    });
    expect(disabled.disabledReason).toMatch(/every attempt failed since .* \(last: HTTP 503\)/);
    const alert = await api.db.alert.findFirstOrThrow({ where: { rule: 'webhook.endpoint_disabled' } });
    expect(alert).toMatchObject({ resellerId: tenant.id, state: 'open', severity: 'warning' });
    expect(await api.db.message.count({ where: { kind: 'notification', resellerId: tenant.id, recipients: { some: { address: 'ops@private.test' } } } })).toBe(1);
    // Its pending delivery ends without another request once the endpoint is off.
    const delivery = await waitFor(async () => {
      const row = await api.db.webhookDelivery.findFirst({ where: { endpointId: endpoint.body.id } });
      return row?.status === 'failed' && row;
    });
    expect(delivery.lastError).toBe('endpoint disabled');
    const seen = receiver.requests.length;
    const view = await tenant.client.get(`/v1/webhooks/${endpoint.body.id}`);
    expect(view.body).toMatchObject({ enabled: false, disabledReason: disabled.disabledReason });
    // Enabled again by its tenant: the failure run starts over.
    const again = await tenant.client.patch(`/v1/webhooks/${endpoint.body.id}`, { enabled: true });
    expect(again.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    expect(receiver.requests.length).toBe(seen);
  });
});
