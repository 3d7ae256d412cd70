import { GOOD_PASSWORD, TestApi } from '../support/api.js';

describe('Idempotency-Key', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.close());

  it('replays a created API key to a retry, and keeps neither the key nor the body readable at rest', async () => {
    const headers = { 'idempotency-key': 'key-retry-1' };
    const first = await api.admin.post('/v1/api-keys', { name: 'retried' }, headers);
    const second = await api.admin.post('/v1/api-keys', { name: 'retried' }, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await api.db.apiKey.count({ where: { name: 'retried' } })).toBe(1);
    const stored = await api.db.idempotentRequest.findUniqueOrThrow({ where: { key: 'platform:key-retry-1' } });
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
    expect(await api.db.idempotentRequest.count({ where: { key: 'platform:fail-then-fix' } })).toBe(0);
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
});
