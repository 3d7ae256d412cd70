import { GOOD_PASSWORD, type Client, TestApi } from '../support/api.js';

const GIB = 1024 ** 3;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('resellers', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.close());

  it('creates a reseller with limits, null meaning unlimited, audited', async () => {
    const res = await api.admin.post('/v1/resellers', { name: '  Acme Hosting ', maxDomains: 5, maxStorageBytes: 10 * GIB });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Acme Hosting',
      maxDomains: 5,
      maxMailboxes: null,
      maxStorageBytes: 10 * GIB,
      mailHostnames: { imap: null, pop3: null, smtp: null },
      notificationEmail: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await api.db.reseller.findUniqueOrThrow({ where: { id: res.body.id } }))
      .toMatchObject({ name: 'Acme Hosting', maxDomains: 5, maxMailboxes: null, maxStorageBytes: BigInt(10 * GIB) });
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: res.body.id } });
    expect(audit).toMatchObject({ action: 'reseller.create', actorType: 'api_key', targetType: 'reseller', resellerId: res.body.id, before: null });
    expect(audit.after).toMatchObject({ name: 'Acme Hosting', maxDomains: 5, maxMailboxes: null, maxStorageBytes: 10 * GIB });
    expect((await api.admin.get(`/v1/resellers/${res.body.id}`)).body).toEqual(res.body);
  });

  it('enforces a limit, and lifts it when set back to null', async () => {
    const reseller = await api.reseller({ maxDomains: 1 }, 'One domain');
    expect((await reseller.client.post('/v1/domains', { name: 'first.test' })).status).toBe(201);
    const refused = await reseller.client.post('/v1/domains', { name: 'second.test' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('reseller_limit_reached');
    expect(await api.db.domain.count({ where: { resellerId: reseller.id } })).toBe(1);

    const lifted = await api.admin.patch(`/v1/resellers/${reseller.id}`, { maxDomains: null });
    expect(lifted.status).toBe(200);
    expect(lifted.body.maxDomains).toBeNull();
    expect((await api.db.reseller.findUniqueOrThrow({ where: { id: reseller.id } })).maxDomains).toBeNull();
    for (const name of ['second.test', 'third.test']) {
      expect((await reseller.client.post('/v1/domains', { name })).status).toBe(201);
    }
    expect(await api.db.domain.count({ where: { resellerId: reseller.id } })).toBe(3);
  });

  it('changes only the fields a PATCH names', async () => {
    const { body: created } = await api.admin.post('/v1/resellers', { name: 'Patchy', maxDomains: 3, maxMailboxes: 30, maxStorageBytes: 30 * GIB });
    const res = await api.admin.patch(`/v1/resellers/${created.id}`, { name: 'Renamed' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, name: 'Renamed', updatedAt: expect.any(String) });
    expect(await api.db.reseller.findUniqueOrThrow({ where: { id: created.id } }))
      .toMatchObject({ name: 'Renamed', maxDomains: 3, maxMailboxes: 30, maxStorageBytes: BigInt(30 * GIB) });

    const storage = await api.admin.patch(`/v1/resellers/${created.id}`, { maxStorageBytes: Number.MAX_SAFE_INTEGER });
    expect(storage.body).toEqual({ ...res.body, maxStorageBytes: Number.MAX_SAFE_INTEGER, updatedAt: expect.any(String) });
    expect(await api.db.reseller.findUniqueOrThrow({ where: { id: created.id } }))
      .toMatchObject({ name: 'Renamed', maxDomains: 3, maxMailboxes: 30, maxStorageBytes: BigInt(Number.MAX_SAFE_INTEGER) });

    const audit = await api.db.auditEntry.findMany({ where: { targetId: created.id, action: 'reseller.update' }, orderBy: { createdAt: 'asc' } });
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ before: { name: 'Patchy', maxDomains: 3 }, after: { name: 'Renamed', maxDomains: 3 } });
    expect(audit[1]).toMatchObject({ before: { maxStorageBytes: 30 * GIB }, after: { maxStorageBytes: Number.MAX_SAFE_INTEGER } });
  });

  it('refuses to lower limits below what is in use, naming each field, and allows lowering to exactly the usage', async () => {
    const reseller = await api.reseller({}, 'Busy');
    for (const name of ['busy1.test', 'busy2.test']) {
      expect((await reseller.client.post('/v1/domains', { name })).status).toBe(201);
    }
    for (const address of ['a@busy1.test', 'b@busy1.test']) {
      expect((await reseller.client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD, quotaBytes: GIB })).status).toBe(201);
    }
    const before = await api.db.reseller.findUniqueOrThrow({ where: { id: reseller.id } });

    const res = await api.admin.patch(`/v1/resellers/${reseller.id}`, {
      name: 'Shrunk', maxDomains: 1, maxMailboxes: 1, maxStorageBytes: 2 * GIB - 1,
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'limit_below_usage',
      errors: [
        { field: 'maxDomains', code: 'below_usage', message: '2 already in use.' },
        { field: 'maxMailboxes', code: 'below_usage', message: '2 already in use.' },
        { field: 'maxStorageBytes', code: 'below_usage', message: `${2 * GIB} already in use.` },
      ],
    });
    expect(await api.db.reseller.findUniqueOrThrow({ where: { id: reseller.id } })).toEqual(before);

    const exact = await api.admin.patch(`/v1/resellers/${reseller.id}`, { maxDomains: 2, maxMailboxes: 2, maxStorageBytes: 2 * GIB });
    expect(exact.status).toBe(200);
    expect(await api.db.reseller.findUniqueOrThrow({ where: { id: reseller.id } }))
      .toMatchObject({ name: 'Busy', maxDomains: 2, maxMailboxes: 2, maxStorageBytes: BigInt(2 * GIB) });
  });

  it('refuses to delete a reseller that still has domains', async () => {
    const reseller = await api.reseller({}, 'Not empty');
    expect((await reseller.client.post('/v1/domains', { name: 'kept.test' })).status).toBe(201);
    const res = await api.admin.delete(`/v1/resellers/${reseller.id}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('reseller_not_empty');
    expect(await api.db.reseller.count({ where: { id: reseller.id } })).toBe(1);
    expect(await api.db.domain.count({ where: { resellerId: reseller.id } })).toBe(1);
    expect((await reseller.client.get('/v1/domains')).status).toBe(200);
  });

  it('deletes an empty reseller with its API keys, audited', async () => {
    const reseller = await api.reseller({ maxDomains: 7 }, 'Leaving');
    const res = await api.admin.delete(`/v1/resellers/${reseller.id}`);
    expect(res.status).toBe(204);
    expect(await api.db.reseller.count({ where: { id: reseller.id } })).toBe(0);
    expect(await api.db.apiKey.count({ where: { resellerId: reseller.id } })).toBe(0);
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: reseller.id, action: 'reseller.delete' } });
    expect(audit).toMatchObject({ targetType: 'reseller', after: null, before: { id: reseller.id, name: 'Leaving', maxDomains: 7 } });

    const denied = await reseller.client.get('/v1/domains');
    expect(denied.status).toBe(401);
    expect((await api.admin.get(`/v1/resellers/${reseller.id}`)).status).toBe(404);
    expect((await api.admin.delete(`/v1/resellers/${reseller.id}`)).status).toBe(404);
  });

  it('answers 404 for a reseller that does not exist', async () => {
    const responses = [
      await api.admin.get(`/v1/resellers/${MISSING_ID}`),
      await api.admin.patch(`/v1/resellers/${MISSING_ID}`, { name: 'Ghost' }),
      await api.admin.delete(`/v1/resellers/${MISSING_ID}`),
    ];
    expect(responses.map((r) => [r.status, r.body.code])).toEqual([[404, 'not_found'], [404, 'not_found'], [404, 'not_found']]);
    expect(await api.db.reseller.count({ where: { name: 'Ghost' } })).toBe(0);
  });

  it('lists every reseller with cursor pagination', async () => {
    const ids = (await api.db.reseller.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.admin.get(`/v1/resellers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('answers 403 to a reseller key on every resellers route, its own record included, and changes nothing', async () => {
    const reseller = await api.reseller({ maxDomains: 1 }, 'Curious');
    const neighbour = await api.reseller({}, 'Neighbour');
    const before = JSON.stringify(await api.db.reseller.findMany({ orderBy: { id: 'asc' } }), (_, v) => (typeof v === 'bigint' ? String(v) : v));
    const c = reseller.client;
    const responses = [
      await c.post('/v1/resellers', { name: 'Mine now' }),
      await c.get('/v1/resellers'),
      await c.get(`/v1/resellers/${reseller.id}`),
      await c.patch(`/v1/resellers/${reseller.id}`, { maxDomains: null }),
      await c.delete(`/v1/resellers/${reseller.id}`),
      await c.get(`/v1/resellers/${neighbour.id}`),
      await c.patch(`/v1/resellers/${neighbour.id}`, { name: 'Taken over' }),
      await c.delete(`/v1/resellers/${neighbour.id}`),
    ];
    for (const res of responses) {
      expect([res.status, res.body.code]).toEqual([403, 'platform_admin_required']);
    }
    const after = JSON.stringify(await api.db.reseller.findMany({ orderBy: { id: 'asc' } }), (_, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(after).toBe(before);
  });

  it.each([
    ['a missing name', {}, 'name', 'invalid_type'],
    ['a blank name', { name: '   ' }, 'name', 'too_small'],
    ['a CR/LF in the name', { name: 'Evil\r\nCorp' }, 'name', 'invalid_format'],
    ['a negative limit', { name: 'Bad', maxDomains: -1 }, 'maxDomains', 'too_small'],
    ['a fractional limit', { name: 'Bad', maxMailboxes: 1.5 }, 'maxMailboxes', 'invalid_type'],
    ['a limit as a string', { name: 'Bad', maxStorageBytes: '1000' }, 'maxStorageBytes', 'invalid_type'],
    ['a storage limit beyond 2^53', { name: 'Bad', maxStorageBytes: 2 ** 53 }, 'maxStorageBytes', 'too_big'],
    ['an unknown field', { name: 'Bad', id: MISSING_ID }, 'id', 'unknown_field'],
    ['a notification address that is not one', { name: 'Bad', notificationEmail: 'alerts at example.com' }, 'notificationEmail', 'invalid_characters'],
  ])('refuses %s on creation and writes nothing', async (_, body, field, code) => {
    const before = await api.db.reseller.count();
    const res = await api.admin.post('/v1/resellers', body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string; code: string }) => `${e.field} ${e.code}`)).toEqual([`${field} ${code}`]);
    expect(await api.db.reseller.count()).toBe(before);
  });
});
