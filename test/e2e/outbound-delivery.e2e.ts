import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { loadConfig } from '../../src/config/config.js';
import { dkimRecordText } from '../../src/dkim/dkim-key-pair.js';
import { OUTBOUND_QUEUE } from '../../src/outbound/outbound.queue.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { parseReport } from '../support/delivery-report.js';
import { verifyDkim } from '../support/dkim-verifier.js';
import { TestDnsServer } from '../support/dns-server.js';
import { waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';

// The delivery worker against a real DNS server (Knot) and a real receiving MTA (smtp-server) on
// loopback, with messages accepted through POST /v1/messages. The retry ladder is shortened to
// milliseconds, so a whole lifetime (retries, delay notice, bounce) runs in seconds.
const LADDER = {
  OUTBOUND_RETRY_BASE_MS: '100',
  OUTBOUND_RETRY_MAX_MS: '300',
  OUTBOUND_MAX_LIFETIME_MS: '3000',
  OUTBOUND_DELAY_NOTICE_MS: '600',
  OUTBOUND_RECONCILE_EVERY_MS: '500',
  OUTBOUND_CONNECT_TIMEOUT_MS: '2000',
  OUTBOUND_SOCKET_TIMEOUT_MS: '5000',
};
const SETTLED_MS = 20_000;

describe('outgoing mail delivery', () => {
  let dns: TestDnsServer;
  let sink: SmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext | undefined;
  let sender: Client;
  let env: Record<string, string>;

  const startWorker = (overrides: Record<string, string> = {}) =>
    NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...env, ...overrides })), { logger: false });
  const send = async (to: string[], subject = 'Hello') => {
    const res = await sender.post('/v1/messages', { from: 'Ann <ann@sender.test>', to, subject, text: `About ${subject}` });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const settled = (id: string) => waitFor(async () => {
    const row = await api.db.message.findUniqueOrThrow({ where: { id }, include: { recipients: { orderBy: { address: 'asc' } } } });
    return (row.status === 'completed' || row.status === 'cancelled') && row;
  }, SETTLED_MS);
  const attemptsOf = (id: string) => api.db.deliveryAttempt.findMany({
    where: { messageId: id }, orderBy: { attemptedAt: 'asc' }, include: { recipient: { select: { address: true } } },
  });
  const reportsTo = (address: string) => sink.to(address).filter((m) => m.from === '').map((m) => ({ ...m, report: parseReport(m.raw) }));

  beforeAll(async () => {
    [dns, sink] = await Promise.all([TestDnsServer.start(), SmtpSink.start({ starttls: true })]);
    await dns.publish(
      ...['sender', 'far'].flatMap((d) => [
        { name: `${d}.test`, type: 'MX', value: `10 mx1.${d}.test.` }, { name: `mx1.${d}.test`, type: 'A', value: '127.0.0.1' },
      ]),
      // Nothing listens on 127.0.0.2: connections there are refused.
      { name: 'dead.test', type: 'MX', value: '10 mx1.dead.test.' }, { name: 'mx1.dead.test', type: 'A', value: '127.0.0.2' },
      { name: 'backup.test', type: 'MX', value: '10 mx1.dead.test.' }, { name: 'backup.test', type: 'MX', value: '20 mx1.far.test.' },
      // No MX: the domain's own address is its implicit MX (RFC 5321 §5.1).
      { name: 'plain.test', type: 'A', value: '127.0.0.1' },
    );
    env = { ...LADDER, DNS_SERVERS: dns.address, OUTBOUND_MX_PORT: String(sink.port), MAIL_HOSTNAME: 'mail.postmaster.test' };
    api = await TestApi.start(env);
    const tenant = await api.resellerWithDomain('sender.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await tenant.client.post('/v1/mailboxes', { address: 'ann@sender.test', password: GOOD_PASSWORD })).status).toBe(201);
    sender = tenant.client;
    worker = await startWorker();
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
    await dns?.stop();
  });

  it('delivers to each domain\'s MX in preference order over STARTTLS, DKIM-signed so that mailauth passes it', async () => {
    const id = await send(['bob@far.test', 'carol@backup.test', 'dan@plain.test'], 'Signed');
    const message = await settled(id);
    expect(message.recipients.map((r) => [r.address, r.status, r.attempts])).toEqual([
      ['bob@far.test', 'delivered', 1], ['carol@backup.test', 'delivered', 1], ['dan@plain.test', 'delivered', 1],
    ]);
    const attempts = await attemptsOf(id);
    expect(attempts.map((a) => [a.recipient.address, a.outcome, a.host, a.code]).sort()).toEqual([
      ['bob@far.test', 'delivered', 'mx1.far.test', 250],
      // mx1.dead.test (preference 10) refuses; mx1.far.test (20) takes it.
      ['carol@backup.test', 'delivered', 'mx1.far.test', 250],
      ['dan@plain.test', 'delivered', 'plain.test', 250],
    ]);
    expect(attempts.every((a) => a.response.startsWith('250'))).toBe(true);

    const received = sink.to('bob@far.test');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'ann@sender.test', to: ['bob@far.test'], secure: true });
    const key = await api.db.dkimKey.findFirstOrThrow({ where: { domain: { name: 'sender.test' }, state: 'active' } });
    await dns.publish({ name: `${key.selector}._domainkey.sender.test`, type: 'TXT', value: dkimRecordText('rsa', key.publicKey) });
    expect(await verifyDkim(received[0].raw, dns.address)).toEqual([
      { domain: 'sender.test', selector: key.selector, algorithm: 'rsa-sha256', result: 'pass' },
    ]);
    // One transaction per destination domain: carol's and dan's copies went separately.
    expect(sink.to('carol@backup.test')[0].to).toEqual(['carol@backup.test']);
  });

  it('a recipient answered 451 and then 250 is delivered at the second attempt, both attempts recorded', async () => {
    sink.rcpt = (address, offer) => (address === 'later@far.test' && offer === 1 ? { code: 451, message: '4.7.1 Greylisted, try again' } : 'accept');
    const id = await send(['later@far.test']);
    const message = await settled(id);
    expect(message).toMatchObject({ status: 'completed', attempts: 2 });
    expect(message.recipients[0]).toMatchObject({ status: 'delivered', attempts: 2, lastCode: 250, finalAt: expect.any(Date) });
    const attempts = await attemptsOf(id);
    expect(attempts.map((a) => [a.outcome, a.host, a.code, a.enhanced])).toEqual([
      ['deferred', 'mx1.far.test', 451, '4.7.1'], ['delivered', 'mx1.far.test', 250, null],
    ]);
    expect(attempts[0].response).toBe('451 4.7.1 Greylisted, try again');
    expect(sink.to('later@far.test')).toHaveLength(1);
  });

  it('a 550 recipient is bounced with an RFC 3464 report to the sender while the others are delivered', async () => {
    sink.rcpt = (address) => (address === 'nosuch@far.test' ? { code: 550, message: '5.1.1 <nosuch@far.test>: no such user' } : 'accept');
    const id = await send(['nosuch@far.test', 'ok@far.test'], 'Partly bounced');
    const message = await settled(id);
    expect(message.recipients.map((r) => [r.address, r.status, r.lastCode, r.lastEnhanced])).toEqual([
      ['nosuch@far.test', 'bounced', 550, '5.1.1'], ['ok@far.test', 'delivered', 250, null],
    ]);
    expect(sink.to('ok@far.test')).toHaveLength(1);

    const dsn = await waitFor(async () => {
      const rows = await api.db.message.findMany({ where: { kind: 'dsn', status: 'completed', subject: 'Undelivered Mail Returned to Sender' } });
      return rows.find((row) => Buffer.from(row.raw).toString().includes(id));
    }, SETTLED_MS);
    expect(dsn).toMatchObject({ mailFrom: '', resellerId: message.resellerId });
    const [delivered] = reportsTo('ann@sender.test').filter((m) => m.report.perMessage['x-postmaster-queue-id'] === id);
    expect(delivered.report.headers['content-type']).toMatch(/^multipart\/report; report-type=delivery-status/);
    expect(delivered.report.recipients).toEqual([expect.objectContaining({
      'final-recipient': 'rfc822; nosuch@far.test', action: 'failed', status: '5.1.1', 'remote-mta': 'dns; mx1.far.test',
      'diagnostic-code': 'smtp; 550 5.1.1 <nosuch@far.test>: no such user',
    })]);
    const originalHeaders = delivered.report.parts.find((p) => p.headers['content-type'].startsWith('text/rfc822-headers'))!;
    expect(originalHeaders.body).toContain('Subject: Partly bounced');
    expect(originalHeaders.body).not.toContain('About Partly bounced');
  });

  it('refused connections are retried until the lifetime ends, with a delay notice, then bounced', async () => {
    const id = await send(['gone@dead.test'], 'Unreachable');
    const message = await settled(id);
    expect(message.recipients[0]).toMatchObject({ status: 'bounced', lastCode: null, lastEnhanced: '4.4.1' });
    const attempts = await attemptsOf(id);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.every((a) => a.outcome === 'deferred' && a.host === 'mx1.dead.test' && a.code === null && a.errorCode)).toBe(true);
    expect(message.delayNotifiedAt).not.toBeNull();

    const reports = await waitFor(async () => {
      const found = reportsTo('ann@sender.test').filter((m) => m.report.perMessage['x-postmaster-queue-id'] === id);
      return found.length === 2 && found;
    }, SETTLED_MS);
    expect(reports.map((r) => [r.report.recipients[0].action, r.report.recipients[0].status])).toEqual([['delayed', '4.4.1'], ['failed', '4.4.1']]);
    expect(reports[0].report.recipients[0]['will-retry-until']).toBeDefined();
  });

  it('cancel stops the retries of a deferred message', async () => {
    sink.rcpt = (address) => (address === 'busy@far.test' ? { code: 452, message: '4.2.2 Mailbox busy' } : 'accept');
    const id = await send(['busy@far.test']);
    await waitFor(async () => (await api.db.message.findUniqueOrThrow({ where: { id } })).status === 'deferred');
    expect((await sender.post(`/v1/messages/${id}/cancel`)).status).toBe(200);
    const cancelled = await settled(id);
    const attemptsAtCancel = cancelled.attempts;
    // A later message that needs a retry of its own: by the time it is delivered, the cancelled
    // one would have been due again more than once.
    sink.rcpt = (address, offer) => (address === 'barrier@far.test' && offer < 3 ? { code: 451, message: 'later' } : address === 'busy@far.test' ? { code: 452, message: 'busy' } : 'accept');
    await settled(await send(['barrier@far.test']));
    const after = await api.db.message.findUniqueOrThrow({ where: { id }, include: { recipients: true } });
    expect(after).toMatchObject({ status: 'cancelled', attempts: attemptsAtCancel });
    expect(after.recipients[0].status).toBe('cancelled');
    const queue = worker!.get<Queue>(getQueueToken(OUTBOUND_QUEUE), { strict: false });
    expect(await queue.getJob(id)).toBeUndefined();
  });

  it('a bounce is never sent about a bounce: a DSN that fails is dropped silently', async () => {
    sink.rcpt = (address) => (address === 'ann@sender.test' ? { code: 550, message: '5.1.1 sender gone' } : address === 'x@far.test' ? { code: 550, message: '5.1.1 no' } : 'accept');
    const id = await send(['x@far.test'], 'Double bounce');
    await settled(id);
    const dsn = await waitFor(async () => {
      const rows = await api.db.message.findMany({ where: { kind: 'dsn', status: 'completed' }, include: { recipients: true } });
      return rows.find((r) => Buffer.from(r.raw).toString().includes(id) && r.recipients[0].status === 'bounced');
    }, SETTLED_MS);
    expect(dsn.recipients[0]).toMatchObject({ address: 'ann@sender.test', status: 'bounced', lastCode: 550 });
    expect(await api.db.message.count({ where: { kind: 'dsn', createdAt: { gt: dsn.createdAt } } })).toBe(0);
    sink.rcpt = () => 'accept';
  });

  it('through a relay (smarthost) with authentication, whatever the recipient domain\'s DNS says', async () => {
    await worker!.close();
    const relay = await SmtpSink.start({ auth: { user: 'relayuser', pass: 'relay-secret' } });
    worker = await startWorker({ OUTBOUND_RELAY_URL: `smtp://relayuser:relay-secret@127.0.0.1:${relay.port}` });
    try {
      const id = await send(['someone@nowhere.test', 'gone@dead.test'], 'Via relay');
      const message = await settled(id);
      expect(message.recipients.map((r) => r.status)).toEqual(['delivered', 'delivered']);
      expect((await attemptsOf(id)).map((a) => a.host)).toEqual(['127.0.0.1', '127.0.0.1']);
      expect(relay.received.map((m) => [m.from, m.to.sort(), m.user])).toEqual([
        ['ann@sender.test', ['gone@dead.test'], 'relayuser'], ['ann@sender.test', ['someone@nowhere.test'], 'relayuser'],
      ].sort());
    } finally {
      await relay.close();
    }
  });
});
