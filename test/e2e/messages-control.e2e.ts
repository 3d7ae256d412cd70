import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { OUTBOUND_QUEUE } from '../../src/outbound/outbound.queue.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';

// GET /v1/messages(/{id}), retry and cancel. No worker runs: what a worker would write (attempts,
// deferred recipients, a claim) is written into the tables directly.
describe('messages API: control', () => {
  let api: TestApi;
  let queue: Queue;
  let owner: { id: string; client: Client; domainId: string };
  let annId: string;
  let bobId: string;

  async function sent(client: Client, from: string, to: string[] = ['x@example.org', 'y@example.net']): Promise<string> {
    const res = await client.post('/v1/messages', { from, to, subject: 'control', text: 'hi' });
    expect(res.status).toBe(202);
    return res.body.id;
  }
  const recipientsOf = (id: string) => api.db.messageRecipient.findMany({ where: { messageId: id }, orderBy: { address: 'asc' } });

  beforeAll(async () => {
    api = await TestApi.start();
    queue = api.app.get<Queue>(getQueueToken(OUTBOUND_QUEUE), { strict: false });
    owner = await api.resellerWithDomain('control.test');
    await api.admin.patch(`/v1/domains/${owner.domainId}`, { status: 'active' });
    annId = (await owner.client.post('/v1/mailboxes', { address: 'ann@control.test', password: GOOD_PASSWORD })).body.id;
    bobId = (await owner.client.post('/v1/mailboxes', { address: 'bob@control.test', password: GOOD_PASSWORD })).body.id;
  });
  afterAll(() => api?.close());

  it('lists the tenant\'s messages newest first, filtered and paged', async () => {
    const first = await sent(owner.client, 'ann@control.test');
    const second = await sent(owner.client, 'bob@control.test');
    const third = await sent(owner.client, 'ann@control.test');
    // Distinct creation times, whatever the clock's resolution.
    for (const [i, id] of [first, second, third].entries()) {
      await api.db.message.update({ where: { id }, data: { createdAt: new Date(Date.now() - (3 - i) * 1000) } });
    }
    await api.db.message.update({ where: { id: first }, data: { status: 'deferred' } });
    const other = await api.resellerWithDomain('someone-else.test');
    await api.admin.patch(`/v1/domains/${other.domainId}`, { status: 'active' });
    await sent(other.client, 'x@someone-else.test');

    const ids = async (query: string) => (await owner.client.get(`/v1/messages${query}`)).body.items.map((m: { id: string }) => m.id);
    expect(await ids('')).toEqual([third, second, first]);
    expect(await ids(`?mailboxId=${annId}`)).toEqual([third, first]);
    expect(await ids(`?mailboxId=${bobId}&domainId=${owner.domainId}`)).toEqual([second]);
    expect(await ids('?status=deferred')).toEqual([first]);
    const createdSecond = (await api.db.message.findUniqueOrThrow({ where: { id: second } })).createdAt;
    expect(await ids(`?until=${encodeURIComponent(createdSecond.toISOString())}`)).toEqual([first]);
    expect(await ids(`?since=${encodeURIComponent(createdSecond.toISOString())}`)).toEqual([third, second]);

    const page1 = await owner.client.get('/v1/messages?limit=2');
    expect(page1.body.items.map((m: { id: string }) => m.id)).toEqual([third, second]);
    expect(page1.body.items[0]).toMatchObject({ status: 'queued', from: 'ann@control.test', subject: 'control', mailboxId: annId });
    expect(page1.body.items[0].raw).toBeUndefined();
    const page2 = await owner.client.get(`/v1/messages?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: first })], nextCursor: null });
    expect((await owner.client.get('/v1/messages?cursor=bm9wZQ')).status).toBe(422);
  });

  it('shows each recipient with every attempt', async () => {
    const id = await sent(owner.client, 'ann@control.test');
    const [x, y] = await recipientsOf(id);
    await api.db.deliveryAttempt.createMany({ data: [
      { messageId: id, recipientId: x.id, attemptedAt: new Date('2026-01-01T00:00:00Z'), outcome: 'deferred', host: 'mx.example.org', code: 451, enhanced: '4.7.1', response: '451 4.7.1 Greylisted' },
      { messageId: id, recipientId: x.id, attemptedAt: new Date('2026-01-01T00:10:00Z'), outcome: 'delivered', host: 'mx.example.org', code: 250, enhanced: '2.0.0', response: '250 2.0.0 OK' },
      { messageId: id, recipientId: y.id, attemptedAt: new Date('2026-01-01T00:00:01Z'), outcome: 'deferred', response: 'connect ECONNREFUSED', errorCode: 'ECONNECTION' },
    ] });
    await api.db.messageRecipient.update({ where: { id: x.id }, data: { status: 'delivered', attempts: 2 } });
    await api.db.messageRecipient.update({ where: { id: y.id }, data: { status: 'deferred', attempts: 1 } });

    const res = await owner.client.get(`/v1/messages/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.recipients).toEqual([
      expect.objectContaining({ address: 'x@example.org', status: 'delivered', attempts: [
        { at: '2026-01-01T00:00:00.000Z', outcome: 'deferred', host: 'mx.example.org', code: 451, enhanced: '4.7.1', response: '451 4.7.1 Greylisted', errorCode: null },
        { at: '2026-01-01T00:10:00.000Z', outcome: 'delivered', host: 'mx.example.org', code: 250, enhanced: '2.0.0', response: '250 2.0.0 OK', errorCode: null },
      ] }),
      expect.objectContaining({ address: 'y@example.net', status: 'deferred', attempts: [
        { at: '2026-01-01T00:00:01.000Z', outcome: 'deferred', host: null, code: null, enhanced: null, response: 'connect ECONNREFUSED', errorCode: 'ECONNECTION' },
      ] }),
    ]);
    expect((await owner.client.get('/v1/messages/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('retries deferred recipients now, and refuses when nothing is deferred or a worker holds the message', async () => {
    const id = await sent(owner.client, 'ann@control.test');
    expect((await owner.client.post(`/v1/messages/${id}/retry`)).body.code).toBe('not_retryable');
    await queue.remove(id);
    const later = new Date(Date.now() + 3_600_000);
    await api.db.message.update({ where: { id }, data: { status: 'deferred', nextAttemptAt: later } });
    await api.db.messageRecipient.updateMany({ where: { messageId: id, address: 'y@example.net' }, data: { status: 'deferred' } });

    const res = await owner.client.post(`/v1/messages/${id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('queued');
    const row = await api.db.message.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('queued');
    expect(row.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await (await queue.getJob(id))?.getState()).toBe('waiting');

    await api.db.message.update({ where: { id }, data: { status: 'sending', leaseUntil: later } });
    const busy = await owner.client.post(`/v1/messages/${id}/retry`);
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('delivery_in_progress');
    expect((await api.db.message.findUniqueOrThrow({ where: { id } })).status).toBe('sending');
  });

  it('shows when a final message lost its body to retention, and refuses to retry it with its own code', async () => {
    const id = await sent(owner.client, 'ann@control.test');
    await queue.remove(id);
    expect((await owner.client.get(`/v1/messages/${id}`)).body.bodyPurgedAt).toBeNull();
    // What the maintenance worker leaves (test/e2e/maintenance-worker.e2e.ts runs it for real).
    const purgedAt = new Date('2026-02-01T00:00:00.000Z');
    await api.db.message.update({ where: { id }, data: { status: 'completed', nextAttemptAt: null, raw: Buffer.alloc(0), bodyPurgedAt: purgedAt } });
    await api.db.messageRecipient.updateMany({ where: { messageId: id }, data: { status: 'delivered', finalAt: purgedAt } });
    const before = await api.db.message.findUniqueOrThrow({ where: { id } });

    const view = await owner.client.get(`/v1/messages/${id}`);
    expect(view.body).toMatchObject({ status: 'completed', bodyPurgedAt: purgedAt.toISOString(), size: before.size });
    expect(view.body.recipients).toHaveLength(2);
    const listed = (await owner.client.get('/v1/messages')).body.items.find((m: { id: string }) => m.id === id);
    expect(listed.bodyPurgedAt).toBe(purgedAt.toISOString());
    const retry = await owner.client.post(`/v1/messages/${id}/retry`);
    expect([retry.status, retry.body.code]).toEqual([409, 'message_purged']);
    expect(await api.db.message.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await queue.getJob(id)).toBeUndefined();
  });

  it('cancels what is still pending: cancelled, or completed when some recipient was delivered', async () => {
    const id = await sent(owner.client, 'ann@control.test');
    const res = await owner.client.post(`/v1/messages/${id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const row = await api.db.message.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'cancelled', nextAttemptAt: null });
    expect((await recipientsOf(id)).map((r) => [r.status, r.finalAt !== null])).toEqual([['cancelled', true], ['cancelled', true]]);
    expect(await queue.getJob(id)).toBeUndefined();
    const again = await owner.client.post(`/v1/messages/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('not_cancellable');

    const partly = await sent(owner.client, 'ann@control.test');
    await api.db.message.update({ where: { id: partly }, data: { status: 'deferred' } });
    await api.db.messageRecipient.updateMany({ where: { messageId: partly, address: 'x@example.org' }, data: { status: 'delivered' } });
    expect((await owner.client.post(`/v1/messages/${partly}/cancel`)).body.status).toBe('completed');
    expect((await recipientsOf(partly)).map((r) => r.status)).toEqual(['delivered', 'cancelled']);

    const claimed = await sent(owner.client, 'ann@control.test');
    await api.db.message.update({ where: { id: claimed }, data: { status: 'sending' } });
    expect((await owner.client.post(`/v1/messages/${claimed}/cancel`)).body.code).toBe('delivery_in_progress');
    expect((await recipientsOf(claimed)).map((r) => r.status)).toEqual(['queued', 'queued']);
  });

  it('lets exactly one of a cancel and a worker\'s claim win', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await sent(owner.client, 'ann@control.test');
      // The worker's claim, exactly as the delivery worker issues it.
      const claim = api.db.$executeRaw`
        UPDATE messages SET status = 'sending', lease_until = now() + interval '1 minute'
        WHERE id = ${id}::uuid AND status IN ('queued', 'deferred') AND next_attempt_at <= now()`;
      const [claimedRows, cancel] = await Promise.all([claim, owner.client.post(`/v1/messages/${id}/cancel`)]);
      const final = await api.db.message.findUniqueOrThrow({ where: { id } });
      if (claimedRows === 1) {
        expect(cancel.status).toBe(409);
        expect(final.status).toBe('sending');
      } else {
        expect(cancel.status).toBe(200);
        expect(final.status).toBe('cancelled');
      }
    }
  });
});
