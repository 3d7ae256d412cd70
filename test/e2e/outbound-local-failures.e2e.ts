import { ConsoleLogger, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadConfig } from '../../src/config/config.js';
import { MxRouter } from '../../src/outbound/delivery/mx-route.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { parseReport } from '../support/delivery-report.js';
import { waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';

// Faults of our own while delivering (a DKIM key that cannot be unsealed, an exception in the
// code that routes a domain) are local deferrals, as in Postfix: recorded as an attempt
// (ELOCAL, 4.3.0), retried on the normal ladder, bounced at the end of the lifetime. Before,
// they made the job throw forever. And the worker's own check of a suspended sender.
const ENV = {
  OUTBOUND_RETRY_BASE_MS: '100',
  OUTBOUND_RETRY_MAX_MS: '300',
  OUTBOUND_MAX_LIFETIME_MS: '3000',
  OUTBOUND_RECONCILE_EVERY_MS: '500',
  OUTBOUND_SOCKET_TIMEOUT_MS: '10000',
};
const SETTLED_MS = 20_000;
const HOUR_MS = 3_600_000;

describe('outgoing mail: local errors and held senders', () => {
  let sink: SmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext | undefined;
  let relay: Record<string, string>;
  const tenants: Record<string, { client: Client; domainId: string }> = {};

  /** Starts (or restarts) the one worker of this file, relaying to the sink unless `mx` routes instead. */
  const useWorker = async (mx?: Pick<MxRouter, 'route'>) => {
    await worker?.close();
    const env = mx ? { ...ENV, OUTBOUND_MX_PORT: String(sink.port) } : { ...ENV, ...relay };
    let builder = Test.createTestingModule({ imports: [WorkerModule.forRoot(loadConfig({ ...process.env, ...env }))] });
    if (mx) builder = builder.overrideProvider(MxRouter).useValue(mx);
    const module = await builder.setLogger(new ConsoleLogger({ logLevels: [] })).compile();
    worker = await module.init();
  };
  const send = async (domain: string, to: string[], subject = 'Hello') => {
    const res = await tenants[domain].client.post('/v1/messages', { from: `owner@${domain}`, to, subject, text: subject });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const settled = (id: string) => waitFor(async () => {
    const row = await api.db.message.findUniqueOrThrow({ where: { id }, include: { recipients: { orderBy: { address: 'asc' } } } });
    return row.status === 'completed' && row;
  }, SETTLED_MS);
  const attemptsOf = (id: string) => api.db.deliveryAttempt.findMany({
    where: { messageId: id }, orderBy: { attemptedAt: 'asc' }, include: { recipient: { select: { address: true } } },
  });
  /** Flips one byte of the sealed private key: AES-GCM then refuses to open it. */
  const corruptKey = async (domain: string) => {
    const key = await api.db.dkimKey.findFirstOrThrow({ where: { domainId: tenants[domain].domainId, state: 'active' } });
    const broken = Buffer.from(key.privateKey);
    broken[broken.length - 1] ^= 0xff;
    await api.db.dkimKey.update({ where: { id: key.id }, data: { privateKey: new Uint8Array(broken) } });
    return { id: key.id, original: key.privateKey };
  };

  beforeAll(async () => {
    sink = await SmtpSink.start();
    relay = { OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}` };
    api = await TestApi.start(ENV);
    for (const domain of ['broken.test', 'mended.test', 'held.test', 'routes.test']) {
      const tenant = await api.resellerWithDomain(domain);
      // Activation creates the domain's first DKIM key.
      expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
      expect((await tenant.client.post('/v1/mailboxes', { address: `owner@${domain}`, password: GOOD_PASSWORD })).status).toBe(201);
      tenants[domain] = tenant;
    }
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
  });

  it('a worker that claims a suspended sender\'s message holds it without a word of SMTP; lifting the suspension sends it', async () => {
    // No worker yet: the message waits queued. The suspension is then written as if it landed
    // while a worker had the message in hand (the API holds only queued and deferred messages).
    const id = await send('held.test', ['x@far.test']);
    const mailbox = await api.db.mailbox.findFirstOrThrow({ where: { address: 'owner@held.test' } });
    await api.db.mailbox.update({ where: { id: mailbox.id }, data: { sendingSuspendedAt: new Date(), sendingSuspendedReason: 'test' } });
    expect((await api.db.message.findUniqueOrThrow({ where: { id } })).status).toBe('queued');

    await useWorker();
    const held = await waitFor(async () => {
      const row = await api.db.message.findUniqueOrThrow({ where: { id }, include: { recipients: true } });
      return row.status === 'held' && row;
    }, SETTLED_MS);
    expect(held).toMatchObject({ attempts: 0, leaseUntil: null });
    expect(held.recipients.map((r) => [r.status, r.attempts])).toEqual([['queued', 0]]);
    expect(await attemptsOf(id)).toEqual([]);
    expect(sink.offers.get('x@far.test')).toBeUndefined();

    expect((await tenants['held.test'].client.patch(`/v1/mailboxes/${mailbox.id}`, { sendingSuspended: false })).status).toBe(200);
    const sent = await settled(id);
    expect(sent.recipients.map((r) => [r.status, r.attempts])).toEqual([['delivered', 1]]);
    expect(sink.to('x@far.test')).toHaveLength(1);
  });

  it('a DKIM key that cannot be unsealed defers the message (ELOCAL, 4.3.0) on the retry ladder, then bounces it with a DSN', async () => {
    await corruptKey('broken.test');
    const id = await send('broken.test', ['a@far.test', 'b@far.test'], 'Never signed');
    const message = await settled(id);
    expect(message.recipients.map((r) => [r.address, r.status, r.lastCode, r.lastEnhanced])).toEqual([
      ['a@far.test', 'bounced', null, '4.3.0'], ['b@far.test', 'bounced', null, '4.3.0'],
    ]);
    const attempts = await attemptsOf(id);
    // Every try was recorded (none thrown away to BullMQ): one attempt per recipient per try.
    expect(attempts).toHaveLength(2 * message.attempts);
    expect(message.attempts).toBeGreaterThanOrEqual(2);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ outcome: 'deferred', host: null, code: null, enhanced: '4.3.0', errorCode: 'ELOCAL' });
      expect(attempt.response).toMatch(/^local error, will retry: .*authenticate data/);
      expect(attempt.response).not.toMatch(/\n|at \S+ \(/);
    }
    expect(sink.to('a@far.test')).toEqual([]);

    const [report] = await waitFor(async () => {
      const found = sink.to('owner@broken.test').filter((m) => m.from === '').map((m) => parseReport(m.raw));
      return found.length > 0 && found;
    }, SETTLED_MS);
    expect(report.perMessage['x-postmaster-queue-id']).toBe(id);
    expect(report.recipients.map((r) => [r['final-recipient'], r.action, r.status])).toEqual([
      ['rfc822; a@far.test', 'failed', '4.3.0'], ['rfc822; b@far.test', 'failed', '4.3.0'],
    ]);
    expect(report.recipients[0]['diagnostic-code']).toMatch(/local error, will retry: .*\(delivery time expired, giving up\)/);
  });

  it('once the fault is mended, the next try on the ladder delivers', async () => {
    const { id: keyId, original } = await corruptKey('mended.test');
    const id = await send('mended.test', ['c@far.test']);
    // This message alone may live an hour, so mending it cannot race its lifetime.
    await api.db.message.update({ where: { id }, data: { expiresAt: new Date(Date.now() + HOUR_MS) } });
    await waitFor(async () => (await attemptsOf(id)).some((a) => a.errorCode === 'ELOCAL'), SETTLED_MS);
    await api.db.dkimKey.update({ where: { id: keyId }, data: { privateKey: original } });

    const message = await settled(id);
    expect(message.recipients[0]).toMatchObject({ status: 'delivered', lastCode: 250 });
    const attempts = await attemptsOf(id);
    expect(attempts.at(-1)).toMatchObject({ outcome: 'delivered', errorCode: null });
    expect(attempts.slice(0, -1).every((a) => a.errorCode === 'ELOCAL')).toBe(true);
    expect(sink.to('c@far.test')).toHaveLength(1);
    expect(sink.to('c@far.test')[0].raw.toString()).toMatch(/^DKIM-Signature:[^]*?\bd=mended\.test;/m);
  });

  it('an exception while routing one destination domain defers that domain only; the others are delivered in the same try', async () => {
    // Direct delivery, with a router that fails as a bug would for one domain and sends every
    // other domain to the sink.
    await useWorker({
      route: async (domain: string) => {
        if (domain === 'bug.test') throw new TypeError("Cannot read properties of undefined (reading 'exchange')");
        return { hosts: [{ name: `mx.${domain}`, addresses: ['127.0.0.1'] }] };
      },
    });
    const id = await send('routes.test', ['d@bug.test', 'e@fine.test'], 'Half routed');
    const first = await waitFor(async () => {
      const rows = await attemptsOf(id);
      return rows.length >= 2 && rows;
    }, SETTLED_MS);
    expect(first.slice(0, 2).map((a) => [a.recipient.address, a.outcome, a.errorCode]).sort()).toEqual([
      ['d@bug.test', 'deferred', 'ELOCAL'], ['e@fine.test', 'delivered', null],
    ]);
    const message = await settled(id);
    expect(message.recipients.map((r) => [r.address, r.status])).toEqual([['d@bug.test', 'bounced'], ['e@fine.test', 'delivered']]);
    expect((await attemptsOf(id)).filter((a) => a.recipient.address === 'e@fine.test')).toHaveLength(1);
    expect(sink.to('e@fine.test')).toHaveLength(1);
    expect(sink.to('d@bug.test')).toEqual([]);
  });
});
