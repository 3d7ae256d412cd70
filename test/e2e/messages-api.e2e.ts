import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { OUTBOUND_QUEUE } from '../../src/outbound/outbound.queue.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';

// POST /v1/messages and the control routes, against real PostgreSQL and Redis (no worker runs:
// jobs stay in the queue, and delivery outcomes are written into the tables as a worker would).
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_RECIPIENTS = 5;

describe('messages API', () => {
  let api: TestApi;
  let queue: Queue;
  let owner: { id: string; client: Client; domainId: string };
  let other: { id: string; client: Client; domainId: string };
  let annId: string;

  async function activeTenant(name: string) {
    const tenant = await api.resellerWithDomain(name);
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    return tenant;
  }
  async function mailbox(client: Client, address: string): Promise<string> {
    const res = await client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  const send = (client: Client, body: object, headers: Record<string, string> = {}) => client.post('/v1/messages', body, headers);
  const sendRaw = (client: Client, raw: string | Buffer) =>
    client.request('POST', '/v1/messages', raw.toString('latin1'), { 'content-type': 'message/rfc822' });
  const stored = (id: string) => api.db.message.findUniqueOrThrow({ where: { id }, include: { recipients: { orderBy: { address: 'asc' } } } });

  beforeAll(async () => {
    api = await TestApi.start({ OUTBOUND_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES), OUTBOUND_MAX_RECIPIENTS: String(MAX_RECIPIENTS) });
    queue = api.app.get<Queue>(getQueueToken(OUTBOUND_QUEUE), { strict: false });
    owner = await activeTenant('sender.test');
    other = await activeTenant('other.test');
    annId = await mailbox(owner.client, 'ann@sender.test');
  });
  afterAll(() => api?.close());

  describe('accepting', () => {
    it('commits a JSON message with its envelope and enqueues its job under the message id', async () => {
      const res = await send(owner.client, {
        from: 'Ann Example <ann@sender.test>', to: ['Bob <bob@example.org>', 'carol@bücher.example'], cc: ['dave@example.org'],
        bcc: ['Eve@Example.org', 'bob@example.org'], replyTo: 'help@sender.test', subject: 'Grüße', text: 'Hello', html: '<p>Hello</p>',
        headers: { 'X-Campaign': 'spring' },
      });
      expect(res.status).toBe(202);
      const id = res.body.id;
      expect(res.headers.location).toBe(`/v1/messages/${id}`);
      expect(res.body).toEqual({
        id, status: 'queued', messageId: `<${id}@sender.test>`,
        recipients: [
          { address: 'bob@example.org', field: 'to', status: 'queued' },
          { address: 'carol@xn--bcher-kva.example', field: 'to', status: 'queued' },
          { address: 'dave@example.org', field: 'cc', status: 'queued' },
          { address: 'Eve@example.org', field: 'bcc', status: 'queued' },
        ],
      });
      const row = await stored(id);
      expect(row).toMatchObject({ status: 'queued', mailboxId: annId, domainId: owner.domainId, resellerId: owner.id, mailFrom: 'ann@sender.test', subject: 'Grüße' });
      expect(row.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(5 * 24 * 3_600_000);
      expect(row.recipients.map((r) => [r.address, r.field, r.domain, r.status])).toEqual([
        ['Eve@example.org', 'bcc', 'example.org', 'queued'],
        ['bob@example.org', 'to', 'example.org', 'queued'],
        ['carol@xn--bcher-kva.example', 'to', 'xn--bcher-kva.example', 'queued'],
        ['dave@example.org', 'cc', 'example.org', 'queued'],
      ]);
      const raw = Buffer.from(row.raw).toString();
      expect(row.size).toBe(row.raw.length);
      expect(raw).toMatch(/^From: Ann Example <ann@sender\.test>\r$/m);
      expect(raw).toMatch(/^To: Bob <bob@example\.org>, carol@xn--bcher-kva\.example\r$/m);
      expect(raw).toMatch(/^Cc: dave@example\.org\r$/m);
      expect(raw).toMatch(/^Reply-To: help@sender\.test\r$/m);
      expect(raw).toMatch(new RegExp(`^Message-ID: <${id}@sender\\.test>\\r$`, 'm'));
      expect(raw).toMatch(/^Date: .+\r$/m);
      expect(raw).toMatch(/^X-Campaign: spring\r$/m);
      expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
      expect(raw).not.toMatch(/^Bcc:/im);
      expect(raw).not.toMatch(/Eve@/i);
      expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
      const job = await queue.getJob(id);
      expect(job?.data).toEqual({ messageId: id });
      expect(await job!.getState()).toBe('waiting');
    });

    it('composes attachments from base64', async () => {
      const content = Buffer.from('%PDF-1.4 not really a pdf\n');
      const res = await send(owner.client, {
        from: 'ann@sender.test', to: ['bob@example.org'], subject: 'Invoice', text: 'Attached.',
        attachments: [{ filename: 'invoice.pdf', content: content.toString('base64'), contentType: 'application/pdf' }],
      });
      expect(res.status).toBe(202);
      const raw = Buffer.from((await stored(res.body.id)).raw).toString();
      expect(raw).toMatch(/^Content-Type: multipart\/mixed;/m);
      expect(raw).toMatch(/^Content-Type: application\/pdf; name=invoice\.pdf\r$/m);
      expect(raw).toMatch(/^Content-Disposition: attachment; filename=invoice\.pdf\r$/m);
      expect(raw).toContain(content.toString('base64'));
    });

    it('accepts a raw message/rfc822 body: envelope from To/Cc/Bcc, Bcc stripped, Message-ID and Date added, CRLF', async () => {
      const message = 'From: Ann <ann@sender.test>\nTo: bob@example.org,\n carol@example.org\nBcc: secret@example.net\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n\nLine one\nLine two\n';
      const res = await sendRaw(owner.client, message);
      expect(res.status).toBe(202);
      const row = await stored(res.body.id);
      expect(row.recipients.map((r) => [r.address, r.field])).toEqual([['bob@example.org', 'to'], ['carol@example.org', 'to'], ['secret@example.net', 'bcc']]);
      expect(row.subject).toBe('Grüße');
      expect(Buffer.from(row.raw).toString()).toBe(
        `Message-ID: <${res.body.id}@sender.test>\r\nDate: ${/^Date: (.*)\r$/m.exec(Buffer.from(row.raw).toString())![1]}\r\n` +
        'From: Ann <ann@sender.test>\r\nTo: bob@example.org,\r\n carol@example.org\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nLine one\r\nLine two\r\n',
      );
      expect(await queue.getJob(res.body.id)).toBeDefined();
    });

    it('refuses header injection, reserved headers and malformed raw messages, storing nothing', async () => {
      const before = await api.db.message.count();
      const injected = await send(owner.client, { from: 'ann@sender.test', to: ['bob@example.org'], subject: 'Hi\r\nBcc: victim@example.net' });
      expect(injected.status).toBe(422);
      expect(injected.body).toMatchObject({ code: 'header_injection', errors: [{ field: 'subject', code: 'header_injection' }] });
      const inAddress = await send(owner.client, { from: 'ann@sender.test', to: ['bob@example.org\nBcc: victim@example.net'] });
      expect(inAddress.body).toMatchObject({ code: 'header_injection', errors: [{ field: 'to.0' }] });
      const inHeader = await send(owner.client, { from: 'ann@sender.test', to: ['bob@example.org'], headers: { 'X-A': 'x\u0000y' } });
      // NUL is refused for every field by the validation layer, before the header checks.
      expect(inHeader.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'headers.X-A', code: 'invalid_characters' }] });
      const reserved = await send(owner.client, { from: 'ann@sender.test', to: ['bob@example.org'], headers: { 'DKIM-Signature': 'v=1' } });
      expect(reserved.status).toBe(422);
      expect(reserved.body.errors).toEqual([expect.objectContaining({ code: 'header_not_allowed' })]);
      const badAddress = await send(owner.client, { from: 'ann@sender.test', to: ['not an address'] });
      expect(badAddress.status).toBe(422);
      const noRecipients = await send(owner.client, { from: 'ann@sender.test', to: [] });
      expect(noRecipients.body.errors).toEqual([expect.objectContaining({ code: 'no_recipients' })]);
      const noHeader = await sendRaw(owner.client, 'just a body without any header\n');
      expect(noHeader.body.code).toBe('malformed_message');
      const twoFroms = await sendRaw(owner.client, 'From: ann@sender.test\nFrom: x@sender.test\nTo: bob@example.org\n\nx');
      expect(twoFroms.status).toBe(422);
      expect(await api.db.message.count()).toBe(before);
    });

    it('sends only as the caller\'s own mailboxes and active domains', async () => {
      const before = await api.db.message.count();
      const foreign = await send(owner.client, { from: 'ceo@elsewhere.example', to: ['bob@example.org'] });
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('sender_not_allowed');
      await mailbox(other.client, 'olga@other.test');
      const othersMailbox = await send(owner.client, { from: 'olga@other.test', to: ['bob@example.org'] });
      expect(othersMailbox.body.code).toBe('sender_not_allowed');
      const othersRaw = await sendRaw(owner.client, 'From: olga@other.test\nTo: bob@example.org\n\nx');
      expect(othersRaw.body.code).toBe('sender_not_allowed');
      const pending = await owner.client.post('/v1/domains', { name: 'pending.test' });
      expect((await send(owner.client, { from: 'a@pending.test', to: ['bob@example.org'] })).body.code).toBe('sender_not_allowed');
      const disabledId = await mailbox(owner.client, 'off@sender.test');
      await owner.client.patch(`/v1/mailboxes/${disabledId}`, { protocols: { smtp: false } });
      expect((await send(owner.client, { from: 'off@sender.test', to: ['bob@example.org'] })).body.code).toBe('sender_not_allowed');
      expect(await api.db.message.count()).toBe(before);
      // Any address of an active domain of one's own is fine, with or without a mailbox; the platform may send as any.
      expect((await send(owner.client, { from: 'noreply@sender.test', to: ['bob@example.org'] })).status).toBe(202);
      expect((await send(api.admin, { from: 'olga@other.test', to: ['bob@example.org'] })).status).toBe(202);
      expect(pending.status).toBe(201);
    });

    it('limits recipients and size: 422 too_many_recipients, 413 message_too_large for JSON and raw', async () => {
      const before = await api.db.message.count();
      const many = await send(owner.client, { from: 'ann@sender.test', to: Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `r${i}@example.org`) });
      expect(many.status).toBe(422);
      expect(many.body.code).toBe('too_many_recipients');
      const big = 'x'.repeat(MAX_MESSAGE_BYTES);
      const composedTooLarge = await send(owner.client, { from: 'ann@sender.test', to: ['bob@example.org'], text: big });
      expect(composedTooLarge.status).toBe(413);
      expect(composedTooLarge.body.code).toBe('message_too_large');
      const attachmentTooLarge = await send(owner.client, {
        from: 'ann@sender.test', to: ['bob@example.org'], attachments: [{ filename: 'a.bin', content: Buffer.alloc(MAX_MESSAGE_BYTES + 1).toString('base64') }],
      });
      expect(attachmentTooLarge.body.code).toBe('message_too_large');
      const rawTooLarge = await sendRaw(owner.client, `From: ann@sender.test\nTo: bob@example.org\n\n${big}`);
      expect(rawTooLarge.status).toBe(413);
      expect(rawTooLarge.body.code).toBe('message_too_large');
      // Beyond the route's body limit Fastify stops reading; the answer is still ours.
      const hugeBody = JSON.stringify({ from: 'ann@sender.test', to: ['bob@example.org'], text: 'y'.repeat(2 * 1024 * 1024) });
      const huge = await owner.client.request('POST', '/v1/messages', hugeBody, { 'content-type': 'application/json' });
      expect(huge.status).toBe(413);
      expect(huge.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(huge.body.code).toBe('message_too_large');
      const hugeRaw = await sendRaw(owner.client, `From: ann@sender.test\n\n${'z'.repeat(2 * 1024 * 1024)}`);
      expect(hugeRaw.body.code).toBe('message_too_large');
      expect(await api.db.message.count()).toBe(before);
      // message/rfc822 is a body type of this route only.
      const elsewhere = await owner.client.request('POST', '/v1/domains', 'From: a@b.c\n\nx', { 'content-type': 'message/rfc822' });
      expect(elsewhere.status).toBe(415);
    });

    it('answers a retried POST with the same Idempotency-Key with the first message', async () => {
      const body = { from: 'ann@sender.test', to: ['idem@example.org'], subject: 'once' };
      const first = await send(owner.client, body, { 'idempotency-key': 'send-once' });
      const second = await send(owner.client, body, { 'idempotency-key': 'send-once' });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(await api.db.messageRecipient.count({ where: { address: 'idem@example.org' } })).toBe(1);
    });
  });
});
