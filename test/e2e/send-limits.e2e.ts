import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { OUTBOUND_QUEUE } from '../../src/outbound/outbound.queue.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';

// Sending limits (Redis counters shared by every API process) and the suspension switch.
const CAP_MESSAGES_PER_HOUR = 50;

describe('sending limits and suspension', () => {
  let api: TestApi;
  let owner: { id: string; client: Client; domainId: string };

  const send = (from: string, to: string[] = ['r@example.org']) => owner.client.post('/v1/messages', { from, to, text: 'hi' });
  async function mailbox(address: string): Promise<string> {
    const res = await owner.client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  function expectRetryAfter(res: { headers: Record<string, string> }, maxSeconds: number) {
    const seconds = Number(res.headers['retry-after']);
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(maxSeconds);
  }

  beforeAll(async () => {
    api = await TestApi.start({ OUTBOUND_CAP_MESSAGES_PER_HOUR: String(CAP_MESSAGES_PER_HOUR) });
    owner = await api.resellerWithDomain('limits.test');
    await api.admin.patch(`/v1/domains/${owner.domainId}`, { status: 'active' });
  });
  afterAll(() => api?.close());

  it('accepts exactly the mailbox limit out of 20 concurrent sends; the rest get 429 with Retry-After', async () => {
    const id = await mailbox('burst@limits.test');
    const set = await owner.client.patch(`/v1/mailboxes/${id}`, { sendLimits: { messagesPerHour: 5 } });
    expect(set.status).toBe(200);
    expect(set.body.sendLimits).toEqual({ messagesPerHour: 5 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => send('burst@limits.test')));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(15);
    for (const answer of refused) {
      expect(answer.body.code).toBe('send_limit_exceeded');
      expectRetryAfter(answer, 3600);
    }
    expect(await api.db.message.count({ where: { mailboxId: id } })).toBe(5);
  });

  it('counts recipients per domain across its mailboxes and its other addresses', async () => {
    const domain = await owner.client.post('/v1/domains', { name: 'small.test' });
    await api.admin.patch(`/v1/domains/${domain.body.id}`, { status: 'active' });
    expect((await owner.client.patch(`/v1/domains/${domain.body.id}`, { sendLimits: { recipientsPerDay: 3 } })).body.sendLimits).toEqual({ recipientsPerDay: 3 });
    await owner.client.post('/v1/mailboxes', { address: 'box@small.test', password: GOOD_PASSWORD });
    expect((await send('box@small.test', ['a@example.org', 'b@example.org'])).status).toBe(202);
    const over = await send('noreply@small.test', ['c@example.org', 'd@example.org']);
    expect(over.status).toBe(429);
    expectRetryAfter(over, 86_400);
    expect((await send('noreply@small.test', ['c@example.org'])).status).toBe(202);
    expect((await send('box@small.test', ['e@example.org'])).status).toBe(429);
    expect(await api.db.messageRecipient.count({ where: { message: { domainId: domain.body.id } } })).toBe(3);
  });

  it('applies the platform cap where nothing is set, and refuses limits above it', async () => {
    const id = await mailbox('capped@limits.test');
    const over = await owner.client.patch(`/v1/mailboxes/${id}`, { sendLimits: { messagesPerHour: CAP_MESSAGES_PER_HOUR + 1 } });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'over_platform_cap', errors: [{ field: 'sendLimits.messagesPerHour', code: 'over_platform_cap' }] });
    const domainOver = await owner.client.patch(`/v1/domains/${owner.domainId}`, { sendLimits: { messagesPerHour: CAP_MESSAGES_PER_HOUR + 1 } });
    expect(domainOver.body.code).toBe('over_platform_cap');
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).sendLimits).toBeNull();
    // The domain has no limit of its own: the cap counts every message of limits.test, including those above.
    const sentSoFar = await api.db.message.count({ where: { domainId: owner.domainId } });
    const answers = [];
    for (let i = sentSoFar; i <= CAP_MESSAGES_PER_HOUR; i++) answers.push((await send('capped@limits.test')).status);
    expect(answers.slice(0, -1).every((s) => s === 202)).toBe(true);
    expect(answers.at(-1)).toBe(429);
    expect(await api.db.message.count({ where: { domainId: owner.domainId } })).toBe(CAP_MESSAGES_PER_HOUR);
    // Clearing limits is null.
    await owner.client.patch(`/v1/mailboxes/${id}`, { sendLimits: { messagesPerHour: 2 } });
    expect((await owner.client.patch(`/v1/mailboxes/${id}`, { sendLimits: null })).body.sendLimits).toBeNull();
  });

  it('suspends a mailbox\'s sending (403 sending_suspended, waiting mail held) and lifts it, each audited', async () => {
    const other = await api.resellerWithDomain('suspend.test');
    await api.admin.patch(`/v1/domains/${other.domainId}`, { status: 'active' });
    const id = (await other.client.post('/v1/mailboxes', { address: 'spammy@suspend.test', password: GOOD_PASSWORD })).body.id;
    const queued = await other.client.post('/v1/messages', { from: 'spammy@suspend.test', to: ['r@example.org'] });
    expect(queued.status).toBe(202);
    const queue = api.app.get<Queue>(getQueueToken(OUTBOUND_QUEUE), { strict: false });
    await queue.remove(queued.body.id);

    const suspended = await other.client.patch(`/v1/mailboxes/${id}`, { sendingSuspended: true, sendingSuspendedReason: 'complaints' });
    expect(suspended.status).toBe(200);
    expect(suspended.body.sending).toMatchObject({ suspended: true, reason: 'complaints' });
    expect((await api.db.message.findUniqueOrThrow({ where: { id: queued.body.id } })).status).toBe('held');
    const refused = await other.client.post('/v1/messages', { from: 'spammy@suspend.test', to: ['r@example.org'] });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('sending_suspended');
    expect(await api.db.message.count({ where: { mailboxId: id } })).toBe(1);

    const lifted = await other.client.patch(`/v1/mailboxes/${id}`, { sendingSuspended: false });
    expect(lifted.body.sending).toEqual({ suspended: false, suspendedAt: null, reason: null });
    expect((await api.db.message.findUniqueOrThrow({ where: { id: queued.body.id } })).status).toBe('queued');
    expect(await queue.getJob(queued.body.id)).toBeDefined();
    expect((await other.client.post('/v1/messages', { from: 'spammy@suspend.test', to: ['r@example.org'] })).status).toBe(202);

    const audit = await api.db.auditEntry.findMany({ where: { targetId: id }, orderBy: { createdAt: 'asc' }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(['mailbox.create', 'mailbox.suspend_sending', 'mailbox.resume_sending']);
  });
});
