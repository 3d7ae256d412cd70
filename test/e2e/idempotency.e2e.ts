import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';

describe('Idempotency-Key', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.close());

  /** The credential an Idempotency-Key record is stored under for a client's API key. */
  async function credentialOf(client: Client): Promise<string> {
    const key = await api.db.apiKey.findUniqueOrThrow({ where: { secretHash: createHash('sha256').update(client.key!).digest('hex') } });
    return `api_key:${key.id}`;
  }

  it('replays a created API key to a retry, and keeps neither the key nor the body readable at rest', async () => {
    const headers = { 'idempotency-key': 'key-retry-1' };
    const first = await api.admin.post('/v1/api-keys', { name: 'retried' }, headers);
    const second = await api.admin.post('/v1/api-keys', { name: 'retried' }, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await api.db.apiKey.count({ where: { name: 'retried' } })).toBe(1);
    const stored = await api.db.idempotentRequest.findUniqueOrThrow({
      where: { credential_key: { credential: await credentialOf(api.admin), key: 'key-retry-1' } },
    });
    expect(Buffer.from(stored.body!).toString('latin1')).not.toContain(first.body.key);
    expect(Buffer.from(stored.body!).toString('latin1')).not.toContain('retried');
  });

  it('creates once when the same request races itself', async () => {
    const headers = { 'idempotency-key': 'race-1' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.admin.post('/v1/domains', { name: 'raced.test' }, headers)));
    const statuses = answers.map((a) => a.status);
    // Each answer is either the creation, its replay, or "still in progress" — never a second domain.
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const answer of answers.filter((a) => a.status === 409)) {
      expect(answer.body.code).toBe('idempotency_request_in_progress');
    }
    expect(await api.db.domain.count({ where: { name: 'raced.test' } })).toBe(1);
    const created = answers.filter((a) => a.status === 201).map((a) => a.body.id);
    expect(new Set(created).size).toBe(1);
  });

  it('releases the key when the first attempt fails, so that a corrected retry can succeed', async () => {
    const headers = { 'idempotency-key': 'fail-then-fix' };
    const failed = await api.admin.post('/v1/mailboxes', { address: 'x@nowhere.test', password: GOOD_PASSWORD }, headers);
    expect(failed.status).toBe(422);
    expect(await api.db.idempotentRequest.count({ where: { key: 'fail-then-fix' } })).toBe(0);
    await api.admin.post('/v1/domains', { name: 'nowhere.test' });
    const fixed = await api.admin.post('/v1/mailboxes', { address: 'x@nowhere.test', password: GOOD_PASSWORD }, headers);
    expect(fixed.status).toBe(201);
    expect(await api.db.mailbox.count({ where: { address: 'x@nowhere.test' } })).toBe(1);
  });

  it('rejects a malformed key', async () => {
    const res = await api.admin.post('/v1/domains', { name: 'badkey.test' }, { 'idempotency-key': 'x'.repeat(256) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_idempotency_key');
    expect(await api.db.domain.count({ where: { name: 'badkey.test' } })).toBe(0);
  });

  it('keeps answers per credential: another key of the same tenant gets its own creation, not the first answer', async () => {
    const reseller = await api.reseller({}, 'Twin keys');
    const sibling = await api.keyLike(reseller.client, {});
    const headers = { 'idempotency-key': 'same-key-same-body' };
    const first = await reseller.client.post('/v1/api-keys', { name: 'minted' }, headers);
    const other = await sibling.post('/v1/api-keys', { name: 'minted' }, headers);
    expect([first.status, other.status]).toEqual([201, 201]);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.body.id).not.toBe(first.body.id);
    expect(other.body.key).not.toBe(first.body.key);
    // The first key's own retry still replays its own answer.
    const retry = await reseller.client.post('/v1/api-keys', { name: 'minted' }, headers);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await api.db.apiKey.findMany({ where: { name: 'minted' } })).map((k) => k.id).sort()).toEqual([first.body.id, other.body.id].sort());
    const records = await api.db.idempotentRequest.findMany({ where: { key: 'same-key-same-body' } });
    expect(records.map((r) => r.credential).sort()).toEqual([await credentialOf(reseller.client), await credentialOf(sibling)].sort());
  });

  it('replays a ~20 MiB raw message by its bytes, without a JSON string of the body', async () => {
    const sender = await api.resellerWithDomain('bulky.test');
    expect((await api.admin.patch(`/v1/domains/${sender.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await sender.client.post('/v1/mailboxes', { address: 'big@bulky.test', password: GOOD_PASSWORD })).status).toBe(201);
    const line = 'x'.repeat(76) + '\r\n';
    const raw = Buffer.from(
      'From: big@bulky.test\r\nTo: someone@example.org\r\nSubject: large\r\n\r\n' + line.repeat(Math.floor((20 * 1024 * 1024) / line.length)),
    );
    const post = async (body: Buffer) => {
      const res = await fetch(`${api.baseUrl}/v1/messages`, {
        method: 'POST', body,
        headers: { authorization: `Bearer ${sender.client.key}`, 'content-type': 'message/rfc822', 'idempotency-key': 'big-raw' },
      });
      return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as Record<string, any> };
    };
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const first = await post(raw);
      const second = await post(raw);
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(second.replayed).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(stringify.mock.calls.filter(([value]) => Buffer.isBuffer(value))).toEqual([]);
    } finally {
      stringify.mockRestore();
    }
    // One byte changed at the very end is another request.
    const changed = Buffer.from(raw);
    changed[changed.length - 3] = 0x79;
    const reused = await post(changed);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    const rows = await api.db.message.findMany({ where: { resellerId: sender.id }, select: { size: true } });
    expect(rows).toHaveLength(1);
    expect(rows[0].size).toBeGreaterThan(20 * 1024 * 1024 - 100);
  });
});
