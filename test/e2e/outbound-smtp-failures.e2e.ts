import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../../src/config/config.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { TestDnsServer } from '../support/dns-server.js';
import { waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';

// Receiving MTAs that misbehave (smtp-server on loopback, scripted per test): a connection dropped
// mid-transaction, a server that stops answering, and STARTTLS that fails or is not there, under
// each OUTBOUND_TLS policy of direct delivery. far.test's MX is 127.0.0.1; each test points the
// worker (OUTBOUND_MX_PORT) at the sink it needs. Lifetimes are long: everything here is retried.
const ENV = {
  OUTBOUND_RETRY_BASE_MS: '100',
  OUTBOUND_RETRY_MAX_MS: '300',
  OUTBOUND_MAX_LIFETIME_MS: '600000',
  OUTBOUND_RECONCILE_EVERY_MS: '500',
  OUTBOUND_CONNECT_TIMEOUT_MS: '5000',
  OUTBOUND_SOCKET_TIMEOUT_MS: '10000',
};
const SETTLED_MS = 20_000;

describe('outgoing mail: receiving servers that drop, stall or fail TLS', () => {
  let dns: TestDnsServer;
  let sink: SmtpSink;
  let brokenTls: SmtpSink;
  let noTls: SmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext | undefined;
  let sender: Client;

  /** The one worker of this file, restarted with the settings a test needs. */
  const useWorker = async (target: SmtpSink, overrides: Record<string, string> = {}) => {
    await worker?.close();
    const env = { ...ENV, DNS_SERVERS: dns.address, OUTBOUND_MX_PORT: String(target.port), ...overrides };
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...env })), { logger: false });
  };
  const send = async (to: string) => {
    const res = await sender.post('/v1/messages', { from: 'ann@sender.test', to: [to], subject: 'Hello', text: 'Hello' });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const settled = (id: string) => waitFor(async () => {
    const row = await api.db.message.findUniqueOrThrow({ where: { id }, include: { recipients: true } });
    return (row.status === 'completed' || row.status === 'cancelled') && row;
  }, SETTLED_MS);
  const attemptsOf = (id: string) => api.db.deliveryAttempt.findMany({ where: { messageId: id }, orderBy: { attemptedAt: 'asc' } });
  /** Waits for `count` recorded attempts, then cancels the message (its retries would go on for its lifetime). */
  const attemptsThenCancel = async (id: string, count: number) => {
    const attempts = await waitFor(async () => {
      const rows = await attemptsOf(id);
      return rows.length >= count && rows;
    }, SETTLED_MS);
    // 409 delivery_in_progress while a try holds it: ask again.
    await waitFor(async () => (await sender.post(`/v1/messages/${id}/cancel`)).status === 200, SETTLED_MS);
    expect((await settled(id)).status).toBe('cancelled');
    return attempts;
  };

  beforeAll(async () => {
    [dns, sink, brokenTls, noTls] = await Promise.all([
      TestDnsServer.start(), SmtpSink.start({ starttls: true }), SmtpSink.start({ starttls: 'broken' }), SmtpSink.start({ starttls: 'absent' }),
    ]);
    await dns.publish({ name: 'far.test', type: 'MX', value: '10 mx1.far.test.' }, { name: 'mx1.far.test', type: 'A', value: '127.0.0.1' });
    api = await TestApi.start({ ...ENV, DNS_SERVERS: dns.address });
    const tenant = await api.resellerWithDomain('sender.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await tenant.client.post('/v1/mailboxes', { address: 'ann@sender.test', password: GOOD_PASSWORD })).status).toBe(201);
    sender = tenant.client;
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await Promise.all([sink?.close(), brokenTls?.close(), noTls?.close()]);
    await dns?.stop();
  });

  it('a connection dropped after RCPT, or during DATA, is a temporary failure: retried, then delivered once', async () => {
    await useWorker(sink);
    let dataDrops = 0;
    sink.rcpt = (address, offer) => (address === 'rcpt-drop@far.test' && offer === 1 ? 'drop' : 'accept');
    sink.data = (to) => (to.includes('data-drop@far.test') && dataDrops++ === 0 ? 'drop' : 'accept');
    try {
      for (const address of ['rcpt-drop@far.test', 'data-drop@far.test']) {
        const id = await send(address);
        const message = await settled(id);
        expect(message).toMatchObject({ status: 'completed', attempts: 2 });
        expect(message.recipients.map((r) => [r.status, r.attempts])).toEqual([['delivered', 2]]);
        const attempts = await attemptsOf(id);
        expect(attempts.map((a) => [a.outcome, a.host, a.code])).toEqual([['deferred', 'mx1.far.test', null], ['delivered', 'mx1.far.test', 250]]);
        expect(attempts[0].errorCode).toMatch(/^E(CONNECTION|SOCKET)$/);
        expect(attempts[0].enhanced).toMatch(/^4\.4\.[12]$/);
        expect(sink.to(address)).toHaveLength(1);
      }
      expect(dataDrops).toBe(2);
    } finally {
      sink.rcpt = () => 'accept';
      sink.data = () => 'accept';
    }
  });

  it('a server that stops answering is given up after OUTBOUND_SOCKET_TIMEOUT_MS: deferred (ETIMEDOUT), retried, delivered', async () => {
    await useWorker(sink, { OUTBOUND_SOCKET_TIMEOUT_MS: '1000' });
    sink.rcpt = (address, offer) => (address === 'stall@far.test' && offer === 1 ? 'stall' : 'accept');
    try {
      const id = await send('stall@far.test');
      const message = await settled(id);
      expect(message.recipients.map((r) => [r.status, r.attempts])).toEqual([['delivered', 2]]);
      const attempts = await attemptsOf(id);
      expect(attempts.map((a) => [a.outcome, a.code, a.enhanced, a.errorCode])).toEqual([
        ['deferred', null, '4.4.2', 'ETIMEDOUT'], ['delivered', 250, null, null],
      ]);
      expect(sink.to('stall@far.test')).toHaveLength(1);
    } finally {
      sink.rcpt = () => 'accept';
    }
  });

  it('opportunistic: a STARTTLS handshake that fails is a temporary failure (ETLS, 4.7.0), retried, never sent in plain text', async () => {
    await useWorker(brokenTls, { OUTBOUND_TLS: 'opportunistic' });
    const id = await send('tls-broken@far.test');
    const attempts = await attemptsThenCancel(id, 2);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ outcome: 'deferred', host: 'mx1.far.test', code: null, enhanced: '4.7.0', errorCode: 'ETLS' });
    }
    expect(brokenTls.offers.get('tls-broken@far.test')).toBeUndefined();
    expect(brokenTls.dataTransfers).toBe(0);
  });

  it('opportunistic-plain-fallback: after a failed handshake the same attempt delivers in plain text', async () => {
    await useWorker(brokenTls, { OUTBOUND_TLS: 'opportunistic-plain-fallback' });
    const id = await send('tls-fallback@far.test');
    const message = await settled(id);
    expect(message).toMatchObject({ status: 'completed', attempts: 1 });
    expect((await attemptsOf(id)).map((a) => [a.outcome, a.code])).toEqual([['delivered', 250]]);
    expect(brokenTls.to('tls-fallback@far.test').map((m) => m.secure)).toEqual([false]);
  });

  it('require: a server without STARTTLS gets no envelope and no DATA; the message is deferred (ETLS), not bounced', async () => {
    await useWorker(noTls, { OUTBOUND_TLS: 'require' });
    const id = await send('tls-required@far.test');
    const attempts = await attemptsThenCancel(id, 2);
    for (const attempt of attempts) expect(attempt).toMatchObject({ outcome: 'deferred', enhanced: '4.7.0', errorCode: 'ETLS' });
    expect(attempts[0].response).toMatch(/STARTTLS/);
    expect(noTls.offers.size).toBe(0);
    expect(noTls.dataTransfers).toBe(0);
    expect(noTls.received).toEqual([]);
  });

  it('require: a server whose STARTTLS works gets the message over TLS', async () => {
    await useWorker(sink, { OUTBOUND_TLS: 'require' });
    const id = await send('tls-ok@far.test');
    expect((await settled(id)).recipients.map((r) => r.status)).toEqual(['delivered']);
    expect(sink.to('tls-ok@far.test').map((m) => m.secure)).toEqual([true]);
  });
});
