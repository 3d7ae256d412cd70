import { createHash } from 'node:crypto';
import { TestApi } from '../support/api.js';

describe('API keys and authentication', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.close());

  it('shows a new key once and stores only its SHA-256', async () => {
    const res = await api.admin.post('/v1/api-keys', { name: 'deploy bot', scopes: ['domains:read'] });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^pm_[\w-]{43}$/);
    expect(res.body).toMatchObject({ name: 'deploy bot', resellerId: null, prefix: res.body.key.slice(0, 10), scopes: ['domains:read'], readOnly: false, lastUsedAt: null });
    const row = await api.db.apiKey.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.secretHash).toBe(createHash('sha256').update(res.body.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(res.body.key);
    const fetched = await api.admin.get(`/v1/api-keys/${res.body.id}`);
    expect(fetched.body.key).toBeUndefined();
    expect(JSON.stringify(fetched.body)).not.toContain(row.secretHash);
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: res.body.id } });
    expect(JSON.stringify(audit)).not.toContain(res.body.key.slice(3));
  });

  it('records lastUsedAt when a key is used', async () => {
    const created = await api.admin.post('/v1/api-keys', { name: 'used' });
    expect((await api.client(created.body.key).get('/v1/domains')).status).toBe(200);
    const row = await api.db.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    expect(Date.now() - row.lastUsedAt!.getTime()).toBeLessThan(60_000);
  });

  it.each([
    ['no Authorization header', undefined, 'unauthenticated'],
    ['a key that does not exist', 'pm_' + 'x'.repeat(43), 'invalid_api_key'],
    ['something that is not a key', 'hello', 'invalid_api_key'],
  ])('answers 401 to %s', async (_, key, code) => {
    const res = await api.client(key).get('/v1/domains');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
  });

  it.each(['Basic cG06eA==', 'Bearer', 'Bearer two words'])('answers 401 invalid_api_key to Authorization: %s', async (header) => {
    const res = await api.client().request('GET', '/v1/domains', undefined, { authorization: header });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_api_key');
  });

  it('refuses an expired key', async () => {
    const created = await api.admin.post('/v1/api-keys', { name: 'short-lived', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const client = api.client(created.body.key);
    expect((await client.get('/v1/domains')).status).toBe(200);
    await api.db.apiKey.update({ where: { id: created.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await client.get('/v1/domains');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('api_key_expired');
  });

  it('binds a key to IP ranges', async () => {
    const inside = await api.admin.post('/v1/api-keys', { name: 'loopback only', allowedIps: ['127.0.0.0/8', '::1/128'] });
    const outside = await api.admin.post('/v1/api-keys', { name: 'office only', allowedIps: ['192.0.2.0/24'] });
    expect((await api.client(inside.body.key).get('/v1/domains')).status).toBe(200);
    const refused = await api.client(outside.body.key).get('/v1/domains');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ip_not_allowed');
  });

  it('limits a scoped key to its scopes; a write scope includes reading', async () => {
    const created = await api.admin.post('/v1/api-keys', { name: 'mailboxes only', scopes: ['mailboxes:write', 'domains:read'] });
    const client = api.client(created.body.key);
    expect((await client.get('/v1/domains')).status).toBe(200);
    expect((await client.get('/v1/mailboxes')).status).toBe(200);
    const write = await client.post('/v1/domains', { name: 'scoped.test' });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('insufficient_scope');
    expect((await client.get('/v1/aliases')).body.code).toBe('insufficient_scope');
    expect(await api.db.domain.count({ where: { name: 'scoped.test' } })).toBe(0);
  });

  it('does not let a key grant scopes it lacks', async () => {
    const scoped = await api.admin.post('/v1/api-keys', { name: 'narrow', scopes: ['api-keys:write'] });
    const res = await api.client(scoped.body.key).post('/v1/api-keys', { name: 'wider', scopes: ['domains:write'] });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'scopes', code: 'scope_not_held' })]);
    const inherited = await api.client(scoped.body.key).post('/v1/api-keys', { name: 'same' });
    expect(inherited.body.scopes).toEqual(['api-keys:write']);
    expect(await api.db.apiKey.count({ where: { name: 'wider' } })).toBe(0);
  });

  describe('a key cannot mint a stronger key', () => {
    const LOOPBACK = ['127.0.0.0/8', '::1/128'];

    it('keeps the IP ranges of a new key within those of the IP-bound key creating it', async () => {
      const bound = await api.admin.post('/v1/api-keys', { name: 'bound creator', scopes: ['api-keys:write'], allowedIps: LOOPBACK });
      const creator = api.client(bound.body.key);
      const before = await api.db.apiKey.count();
      for (const [allowedIps, field] of [[['0.0.0.0/0'], 'allowedIps.0'], [['127.0.0.1/32', '10.0.0.0/8'], 'allowedIps.1'], [['::/0'], 'allowedIps.0'], [['127.0.0.0/7'], 'allowedIps.0']] as const) {
        const res = await creator.post('/v1/api-keys', { name: 'escapee', allowedIps });
        expect(res.status).toBe(422);
        expect(res.body.errors).toEqual([expect.objectContaining({ field, code: 'ip_range_not_within_creator' })]);
      }
      expect(await api.db.apiKey.count()).toBe(before);
      const narrower = await creator.post('/v1/api-keys', { name: 'narrower', allowedIps: ['127.0.0.1/32'] });
      expect(narrower.status).toBe(201);
      expect((await api.db.apiKey.findUniqueOrThrow({ where: { id: narrower.body.id } })).allowedIps).toEqual(['127.0.0.1/32']);
      // Left out (or empty), the ranges are the creator's own, never "anywhere".
      for (const body of [{ name: 'inherits' }, { name: 'inherits', allowedIps: [] }]) {
        const inherited = await creator.post('/v1/api-keys', body);
        expect(inherited.status).toBe(201);
        expect(inherited.body.allowedIps).toEqual(LOOPBACK);
        expect((await api.db.apiKey.findUniqueOrThrow({ where: { id: inherited.body.id } })).allowedIps).toEqual(LOOPBACK);
      }
    });

    it('keeps the expiry of a new key no later than that of the expiring key creating it', async () => {
      const creatorExpiry = new Date(Date.now() + 3_600_000);
      const expiring = await api.admin.post('/v1/api-keys', { name: 'expiring creator', scopes: ['api-keys:write'], expiresAt: creatorExpiry.toISOString() });
      const creator = api.client(expiring.body.key);
      const before = await api.db.apiKey.count();
      const later = await creator.post('/v1/api-keys', { name: 'outlives', expiresAt: new Date(creatorExpiry.getTime() + 1000).toISOString() });
      expect(later.status).toBe(422);
      expect(later.body.errors).toEqual([expect.objectContaining({ field: 'expiresAt', code: 'expiry_after_creator' })]);
      expect(await api.db.apiKey.count()).toBe(before);
      // Left out, the expiry is the creator's: an expiring key cannot create a never-expiring one.
      const inherited = await creator.post('/v1/api-keys', { name: 'same lifetime' });
      expect(inherited.status).toBe(201);
      expect((await api.db.apiKey.findUniqueOrThrow({ where: { id: inherited.body.id } })).expiresAt).toEqual(creatorExpiry);
      const sooner = new Date(creatorExpiry.getTime() - 60_000);
      const shorter = await creator.post('/v1/api-keys', { name: 'shorter', expiresAt: sooner.toISOString() });
      expect(shorter.status).toBe(201);
      expect((await api.db.apiKey.findUniqueOrThrow({ where: { id: shorter.body.id } })).expiresAt).toEqual(sooner);
    });

    it('reports both bounds at once, and lets an unbound, non-expiring key set anything', async () => {
      const both = await api.admin.post('/v1/api-keys', {
        name: 'doubly bound', scopes: ['api-keys:write'], allowedIps: LOOPBACK, expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      const res = await api.client(both.body.key).post('/v1/api-keys', { name: 'x', allowedIps: ['192.0.2.0/24'], expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['ip_range_not_within_creator', 'expiry_after_creator']);
      const free = await api.admin.post('/v1/api-keys', { name: 'anything', allowedIps: ['0.0.0.0/0'], expiresAt: new Date(Date.now() + 86_400_000 * 3650).toISOString() });
      expect(free.status).toBe(201);
      const unbound = await api.admin.post('/v1/api-keys', { name: 'unbound' });
      expect(await api.db.apiKey.findUniqueOrThrow({ where: { id: unbound.body.id } })).toMatchObject({ allowedIps: [], expiresAt: null });
    });
  });

  it('creates keys for a reseller that act only within it', async () => {
    const reseller = await api.reseller();
    const created = await reseller.client.post('/v1/api-keys', { name: 'sub key' });
    expect(created.body.resellerId).toBe(reseller.id);
    const row = await api.db.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.resellerId).toBe(reseller.id);
  });

  it('revokes a key by deleting it', async () => {
    const created = await api.admin.post('/v1/api-keys', { name: 'doomed' });
    expect((await api.admin.delete(`/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect(await api.db.apiKey.count({ where: { id: created.body.id } })).toBe(0);
    expect((await api.client(created.body.key).get('/v1/domains')).status).toBe(401);
    expect((await api.admin.get(`/v1/api-keys/${created.body.id}`)).status).toBe(404);
  });

  it.each([
    ['an unknown scope', { name: 'k', scopes: ['everything'] }, 'scopes.0', 'invalid_value'],
    ['an invalid CIDR', { name: 'k', allowedIps: ['300.1.1.1/8'] }, 'allowedIps.0', 'invalid_cidr'],
    ['an invalid date', { name: 'k', expiresAt: 'tomorrow' }, 'expiresAt', 'invalid_format'],
    ['a missing name', {}, 'name', 'invalid_type'],
    ['an unknown reseller', { name: 'k', resellerId: '00000000-0000-4000-8000-000000000000' }, 'resellerId', 'unknown_reseller'],
  ])('rejects %s and writes nothing', async (_, body, field, code) => {
    const before = await api.db.apiKey.count();
    const res = await api.admin.post('/v1/api-keys', body);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field, code })]);
    expect(await api.db.apiKey.count()).toBe(before);
  });
});
