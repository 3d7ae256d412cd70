import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MailboxLocks } from '../../src/activity/mailbox-locks.service.js';
import { AlertsService } from '../../src/alerts/alerts.service.js';
import { loadConfig } from '../../src/config/config.js';
import { SUBSCRIBABLE_EVENTS, WEBHOOK_EVENTS, type WebhookEventType, webhookEnvelope } from '../../src/webhooks/webhook-event-types.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { TestDnsServer } from '../support/dns-server.js';
import { freePort, waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { WebhookReceiver, verifiedEvent } from '../support/webhook-receiver.js';

// Every event type, caused the way it happens in production (API calls, DNS, SMTP replies, the
// monitors' services), arrives signed and exactly in the shape the OpenAPI document gives it.
describe('webhook events', () => {
  let api: TestApi;
  let dns: TestDnsServer;
  let sink: SmtpSink;
  let worker: INestApplicationContext;
  let receiver: WebhookReceiver;
  let platformReceiver: WebhookReceiver;
  let tenant: { id: string; client: Client; domainId: string };
  let secret: string;
  let platformSecret: string;

  const arrived = (type: WebhookEventType, match: (data: any) => boolean = () => true) => waitFor(async () => {
    const request = receiver.requests.find((r) => {
      const body = JSON.parse(r.body);
      return body.type === type && match(body.data);
    });
    return request && verifiedEvent(secret, request);
  });

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    sink = await SmtpSink.start();
    const env = {
      DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: '300', MAIL_HOSTNAME: 'mail.platform.test', MAIL_OUTBOUND_IPS: '192.0.2.1',
      MTA_STS_FETCH_PORT: String(await freePort()), OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      OUTBOUND_RETRY_BASE_MS: '600000', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RECONCILE_EVERY_MS: '300',
    };
    api = await TestApi.start(env);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...env })), { logger: false });
    receiver = await WebhookReceiver.start();
    platformReceiver = await WebhookReceiver.start();
    tenant = await api.resellerWithDomain('events.test');
    const endpoint = await tenant.client.post('/v1/webhooks', { url: receiver.url() });
    expect(endpoint.status).toBe(201);
    secret = endpoint.body.secret;
    const platform = await api.admin.post('/v1/webhooks', { url: platformReceiver.url(), events: ['mailbox.created'] });
    expect(platform.body.resellerId).toBeNull();
    platformSecret = platform.body.secret;
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await Promise.all([receiver?.close(), platformReceiver?.close(), sink?.close(), dns?.stop()]);
  });

  it('domain.verified, dns_check.changed (which record, from what to what)', async () => {
    const domain = (await tenant.client.get(`/v1/domains/${tenant.domainId}`)).body;
    await dns.publish({ name: domain.verification.name, type: 'TXT', value: domain.verification.value });
    expect((await tenant.client.post(`/v1/domains/${tenant.domainId}/verify`)).status).toBe(200);
    expect((await arrived('domain.verified')).data.domain).toMatchObject({ id: tenant.domainId, name: 'events.test' });

    expect((await tenant.client.post(`/v1/domains/${tenant.domainId}/dns-check`)).status).toBe(200);
    await dns.publish({ name: 'events.test', type: 'MX', value: '10 mail.platform.test.' });
    expect((await tenant.client.post(`/v1/domains/${tenant.domainId}/dns-check`)).status).toBe(200);
    const changed = await arrived('dns_check.changed', (d) => d.record.type === 'MX');
    expect(changed.data).toMatchObject({
      domainId: tenant.domainId, domain: 'events.test', record: { type: 'MX', name: 'events.test' },
      from: { status: 'missing', found: [] }, to: { status: 'ok', found: ['10 mail.platform.test.'] },
    });
    expect(await api.db.webhookDelivery.count({ where: { eventType: 'dns_check.changed' } })).toBe(1);
  });

  it('mailbox.created (to the platform endpoint too), message.delivered/deferred/bounced with the SMTP reply', async () => {
    const mailbox = await tenant.client.post('/v1/mailboxes', { address: 'ann@events.test', password: GOOD_PASSWORD });
    expect(mailbox.status).toBe(201);
    expect((await arrived('mailbox.created')).data.mailbox).toMatchObject({ id: mailbox.body.id, address: 'ann@events.test' });
    const atPlatform = await waitFor(async () => platformReceiver.requests[0]);
    expect(verifiedEvent(platformSecret, atPlatform)).toMatchObject({ type: 'mailbox.created', resellerId: tenant.id });

    sink.rcpt = (address) => (address.startsWith('later@') ? { code: 451, message: '4.3.0 Try later' }
      : address.startsWith('gone@') ? { code: 550, message: '5.1.1 No such user' } : 'accept');
    const sent = await tenant.client.post('/v1/messages', { from: 'ann@events.test', to: ['ok@far.test', 'later@far.test', 'gone@far.test'], subject: 'Hi', text: 'Hi' });
    expect(sent.status).toBe(202);
    const forMessage = (d: any) => d.messageId === sent.body.id;
    expect((await arrived('message.delivered', forMessage)).data).toMatchObject({ recipient: 'ok@far.test', status: 'delivered', attempt: 1, smtp: { code: 250 } });
    expect((await arrived('message.deferred', forMessage)).data).toMatchObject({ recipient: 'later@far.test', status: 'deferred', smtp: { code: 451, enhanced: '4.3.0' } });
    const bounced = await arrived('message.bounced', forMessage);
    expect(bounced.data).toMatchObject({ recipient: 'gone@far.test', status: 'bounced', smtp: { code: 550, enhanced: '5.1.1' } });
    expect(bounced.data.smtp.response).toContain('No such user');
  });

  it('mailbox.updated, mailbox.sending_suspended, login.blocked, alert.raised, alert.resolved, mailbox.deleted', async () => {
    const mailbox = (await tenant.client.get('/v1/mailboxes?q=ann')).body.items[0];
    const patched = await tenant.client.patch(`/v1/mailboxes/${mailbox.id}`, { sendingSuspended: true, sendingSuspendedReason: 'spam run' });
    expect(patched.status).toBe(200);
    const updated = await arrived('mailbox.updated');
    expect(updated.data).toMatchObject({ mailbox: { id: mailbox.id, sending: { suspended: true } }, previous: { sending: { suspended: false } } });
    expect((await arrived('mailbox.sending_suspended')).data).toMatchObject({ mailboxId: mailbox.id, address: 'ann@events.test', reason: 'spam run' });

    await api.app.get(MailboxLocks).lockLogin({ mailboxId: mailbox.id, domainId: tenant.domainId, resellerId: tenant.id }, 'ann@events.test', 'login.failures_per_account: 20 failed logins');
    expect((await arrived('login.blocked')).data).toMatchObject({ mailboxId: mailbox.id, address: 'ann@events.test', rule: expect.stringContaining('failures_per_account') });

    const alert = await api.app.get(AlertsService).raise({ resellerId: tenant.id, mailboxId: mailbox.id, rule: 'sending.volume_spike', severity: 'warning', summary: 'Spike', evidence: { n: 1 } });
    expect((await arrived('alert.raised')).data.alert).toMatchObject({ id: alert.id, state: 'open', rule: 'sending.volume_spike' });
    expect((await tenant.client.patch(`/v1/alerts/${alert.id}`, { state: 'resolved' })).status).toBe(200);
    expect((await arrived('alert.resolved')).data.alert).toMatchObject({ id: alert.id, state: 'resolved' });

    expect((await tenant.client.delete(`/v1/mailboxes/${mailbox.id}`)).status).toBe(204);
    expect((await arrived('mailbox.deleted')).data.mailbox).toMatchObject({ id: mailbox.id });
  });

  it('every event type arrived, each in its documented shape, none with a secret in it', async () => {
    const events = receiver.requests.map((r) => verifiedEvent(secret, r));
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(SUBSCRIBABLE_EVENTS));
    for (const event of events) {
      expect(() => webhookEnvelope(event.type, WEBHOOK_EVENTS[event.type as WebhookEventType]).parse(event)).not.toThrow();
      expect(event).toMatchObject({ resellerId: tenant.id, version: 1 });
    }
    expect(receiver.requests.map((r) => r.body).join('\n')).not.toMatch(/password|hash|whsec_|ARGON/i);
  });
});
