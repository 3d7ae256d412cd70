import pg from 'pg';
import { DeliveryRepository } from '../../src/outbound/delivery/delivery.repository.js';
import { WebhookEvents } from '../../src/webhooks/webhook-events.service.js';
import type { Settlement } from '../../src/outbound/delivery/settlement.js';
import { GOOD_PASSWORD, TestApi } from '../support/api.js';
import { waitFor } from '../support/processes.js';

// The delivery worker's two statements per try, against real PostgreSQL: the claim (which also
// reads the message, its pending recipients and its sender's suspension) and the record of a
// destination domain's share (fenced by the claim: a worker that lost its lease writes nothing).
// No worker runs; the rows are written directly.
describe('delivery records: claim and record statements', () => {
  let api: TestApi;
  let repository: DeliveryRepository;
  let domainId: string;
  let mailboxId: string;
  const LEASE_MS = 60_000;

  /** A due message from the mailbox to `to`; `delivered` recipients are already settled. */
  const message = async (to: string[], delivered: string[] = []) => {
    const raw = Buffer.from('From: ann@records.test\r\nSubject: records\r\n\r\nhello\r\n');
    const row = await api.db.message.create({
      data: {
        domainId, mailboxId, mailFrom: 'ann@records.test', fromHeader: 'ann@records.test', messageIdHeader: '<m@records.test>',
        raw: new Uint8Array(raw), size: raw.length, status: 'queued', nextAttemptAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000),
        recipients: { create: [...to, ...delivered].map((address) => ({
          address, field: 'to', domain: address.split('@')[1], ...(delivered.includes(address) && { status: 'delivered' as const }),
        })) },
      },
      include: { recipients: true },
    });
    return { id: row.id, recipient: (address: string) => row.recipients.find((r) => r.address === address)!.id };
  };
  const outcome = (recipientId: string, address: string, status: 'delivered' | 'deferred' | 'bounced'): Settlement['recipients'][number] => ({
    attempt: {
      recipientId, address, host: 'mx.example.org',
      result: status === 'delivered'
        ? { outcome: 'delivered', code: 250, enhanced: '2.0.0', response: '250 2.0.0 Ok', errorCode: null }
        : { outcome: status, code: status === 'bounced' ? 550 : 451, enhanced: status === 'bounced' ? '5.1.1' : '4.3.0', response: `${status} reply`, errorCode: null },
    },
    status, final: status !== 'deferred',
  });

  beforeAll(async () => {
    api = await TestApi.start();
    repository = new DeliveryRepository(api.db, api.app.get(WebhookEvents));
    const tenant = await api.resellerWithDomain('records.test');
    domainId = tenant.domainId;
    await api.admin.patch(`/v1/domains/${domainId}`, { status: 'active' });
    mailboxId = (await tenant.client.post('/v1/mailboxes', { address: 'ann@records.test', password: GOOD_PASSWORD })).body.id;
  });
  afterAll(() => api?.close());

  it('a claim reads the message, its pending recipients in address order and its sender\'s suspension; a second claim gets nothing', async () => {
    const { id } = await message(['zed@example.org', 'amy@example.net'], ['bob@example.org']);
    const claim = await repository.claim(id, LEASE_MS);
    expect(claim).toMatchObject({ id, attempts: 1, senderSuspended: false, message: { id, kind: 'message', status: 'sending', mailboxId, attempts: 1 } });
    expect(claim!.message.recipients.map((r) => [r.address, r.domain])).toEqual([['amy@example.net', 'example.net'], ['zed@example.org', 'example.org']]);
    expect(Buffer.from(claim!.message.raw).toString()).toContain('Subject: records');
    expect(claim!.message.createdAt).toBeInstanceOf(Date);
    expect(await repository.claim(id, LEASE_MS)).toBeNull();
    const row = await api.db.message.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'sending', attempts: 1, leaseUntil: claim!.leaseUntil });

    await api.db.mailbox.update({ where: { id: mailboxId }, data: { sendingSuspendedAt: new Date() } });
    const other = await message(['x@example.org']);
    expect((await repository.claim(other.id, LEASE_MS))?.senderSuspended).toBe(true);
    await api.db.mailbox.update({ where: { id: mailboxId }, data: { sendingSuspendedAt: null } });
  });

  it('a claim that takes over an expired lease sees what the previous worker recorded while the claim waited for the row', async () => {
    const m = await message(['a@example.org', 'b@example.org']);
    await repository.claim(m.id, LEASE_MS);
    await api.db.message.update({ where: { id: m.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    // The previous worker's record of one domain, in flight: its transaction holds the message row.
    const previous = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await previous.connect();
    try {
      await previous.query('BEGIN');
      await previous.query('UPDATE messages SET updated_at = now() WHERE id = $1', [m.id]);
      await previous.query(`UPDATE message_recipients SET status = 'delivered', attempts = 1 WHERE id = $1`, [m.recipient('a@example.org')]);
      const claiming = repository.claim(m.id, LEASE_MS);
      await waitFor(async () => (await api.db.$queryRaw<unknown[]>`
        SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE messages SET status = ''sending''%'`).length > 0);
      await previous.query('COMMIT');
      const claim = await claiming;
      expect(claim).toMatchObject({ attempts: 2, message: { attempts: 2, status: 'sending' } });
      expect(claim!.message.recipients.map((r) => r.address)).toEqual(['b@example.org']);
    } finally {
      await previous.end();
    }
  });

  it('records a settled single-domain try in one statement: attempts, recipients and the message\'s next state', async () => {
    const m = await message(['a@example.org', 'b@example.org']);
    const claim = (await repository.claim(m.id, LEASE_MS))!;
    const now = new Date();
    const retryAt = new Date(now.getTime() + 300_000);
    const dsnIds = await repository.recordDomain(claim, [outcome(m.recipient('a@example.org'), 'a@example.org', 'delivered'), outcome(m.recipient('b@example.org'), 'b@example.org', 'deferred')],
      [], now, { status: 'deferred', nextAttemptAt: retryAt, delayNotified: true });
    expect(dsnIds).toEqual([]);

    expect(await api.db.message.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({
      status: 'deferred', attempts: 1, leaseUntil: null, nextAttemptAt: retryAt, delayNotifiedAt: now,
    });
    const recipients = await api.db.messageRecipient.findMany({ where: { messageId: m.id }, orderBy: { address: 'asc' } });
    expect(recipients).toEqual([
      expect.objectContaining({ address: 'a@example.org', status: 'delivered', attempts: 1, lastAttemptAt: now, finalAt: now, lastCode: 250, lastEnhanced: '2.0.0', lastResponse: '250 2.0.0 Ok' }),
      expect.objectContaining({ address: 'b@example.org', status: 'deferred', attempts: 1, lastAttemptAt: now, finalAt: null, lastCode: 451, lastEnhanced: '4.3.0', lastResponse: 'deferred reply' }),
    ]);
    const attempts = await api.db.deliveryAttempt.findMany({ where: { messageId: m.id }, orderBy: { outcome: 'asc' } });
    expect(attempts).toEqual([
      expect.objectContaining({ recipientId: m.recipient('b@example.org'), attemptedAt: now, outcome: 'deferred', host: 'mx.example.org', code: 451, enhanced: '4.3.0', errorCode: null }),
      expect.objectContaining({ recipientId: m.recipient('a@example.org'), attemptedAt: now, outcome: 'delivered', host: 'mx.example.org', code: 250, response: '250 2.0.0 Ok' }),
    ]);
  });

  it('a worker that lost its lease records nothing; one domain of several leaves the message leased; a DSN is created with the record', async () => {
    const m = await message(['a@example.org', 'c@example.net']);
    const stale = (await repository.claim(m.id, LEASE_MS))!;
    // The lease runs out and another worker claims the message: the first one's claim is stale.
    await api.db.message.update({ where: { id: m.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const current = (await repository.claim(m.id, LEASE_MS))!;
    expect(current.attempts).toBe(2);
    const now = new Date();
    await expect(repository.recordDomain(stale, [outcome(m.recipient('a@example.org'), 'a@example.org', 'delivered')], [], now,
      { status: 'completed', nextAttemptAt: null, delayNotified: false })).rejects.toThrow(/lost the lease/);
    expect(await api.db.deliveryAttempt.count({ where: { messageId: m.id } })).toBe(0);
    expect(await api.db.messageRecipient.findMany({ where: { messageId: m.id }, select: { status: true, attempts: true } }))
      .toEqual([{ status: 'queued', attempts: 0 }, { status: 'queued', attempts: 0 }]);

    // Without `next` (another domain is still sending) the message stays leased by the current claim.
    await repository.recordDomain(current, [outcome(m.recipient('a@example.org'), 'a@example.org', 'delivered')], [], now);
    expect(await api.db.message.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ status: 'sending', attempts: 2, leaseUntil: current.leaseUntil });
    expect(await api.db.messageRecipient.findUniqueOrThrow({ where: { id: m.recipient('a@example.org') } })).toMatchObject({ status: 'delivered', attempts: 1 });

    const dsn = { resellerId: null, to: 'ann@records.test', fromHeader: 'MAILER-DAEMON@records.test', subject: 'Undelivered', messageIdHeader: '<dsn@records.test>',
      raw: Buffer.from('Subject: Undelivered\r\n\r\nreport\r\n'), expiresAt: new Date(Date.now() + 86_400_000) };
    const dsnIds = await repository.recordDomain(current, [outcome(m.recipient('c@example.net'), 'c@example.net', 'bounced')], [dsn], now,
      { status: 'completed', nextAttemptAt: null, delayNotified: false });
    expect(await api.db.message.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ status: 'completed', leaseUntil: null, nextAttemptAt: null, delayNotifiedAt: null });
    expect(await api.db.messageRecipient.findUniqueOrThrow({ where: { id: m.recipient('c@example.net') } })).toMatchObject({ status: 'bounced', finalAt: now, lastCode: 550 });
    expect(await api.db.message.findMany({ where: { id: { in: dsnIds } }, include: { recipients: true } })).toEqual([
      expect.objectContaining({ kind: 'dsn', mailFrom: '', status: 'queued', recipients: [expect.objectContaining({ address: 'ann@records.test', domain: 'records.test' })] }),
    ]);
  });
});
