import { GOOD_PASSWORD, TestApi } from '../support/api.js';

describe('domains', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.close());

  it('creates a domain pending verification, stores the A-label and shows the Unicode form', async () => {
    const res = await api.admin.post('/v1/domains', { name: 'Bücher.Example' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'xn--bcher-kva.example',
      unicodeName: 'bücher.example',
      status: 'pending_verification',
      verification: { type: 'TXT', name: '_postmaster-verify.xn--bcher-kva.example' },
    });
    expect(res.body.verification.value).toMatch(/^postmaster-verify=[\w-]{24}$/);
    const row = await api.db.domain.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.name).toBe('xn--bcher-kva.example');
    expect(await api.db.nameClaim.findUnique({ where: { name: row.name } })).toMatchObject({ domainId: row.id });
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: row.id } });
    expect(audit).toMatchObject({ action: 'domain.create', actorType: 'api_key', targetType: 'domain' });
  });

  it('refuses a name that is already taken, in any letter case', async () => {
    const res = await api.admin.post('/v1/domains', { name: 'BÜCHER.example' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('domain_taken');
    expect(await api.db.domain.count()).toBe(1);
  });

  it('lists with a prefix filter and cursor pagination', async () => {
    for (const name of ['alpha.test', 'alpine.test', 'beta.test']) {
      expect((await api.admin.post('/v1/domains', { name })).status).toBe(201);
    }
    const first = await api.admin.get('/v1/domains?q=al&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items.map((d: any) => d.name)).toEqual(['alpha.test']);
    const second = await api.admin.get(`/v1/domains?q=al&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ items: [{ name: 'alpine.test' }], nextCursor: null });
    const all = await api.admin.get('/v1/domains');
    expect(all.body.items.map((d: any) => d.name)).toEqual(['alpha.test', 'alpine.test', 'beta.test', 'xn--bcher-kva.example']);
  });

  it('lets a platform admin activate an unverified domain, audited as such', async () => {
    const { body } = await api.admin.post('/v1/domains', { name: 'activate.test' });
    const res = await api.admin.patch(`/v1/domains/${body.id}`, { status: 'active' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('active');
    const row = await api.db.domain.findUniqueOrThrow({ where: { id: body.id } });
    expect(row.status).toBe('active');
    expect(row.verifiedAt).not.toBeNull();
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: body.id, action: 'domain.activate_unverified' } });
    expect(audit.before).toMatchObject({ status: 'pending_verification' });
    expect(audit.after).toMatchObject({ status: 'active' });
  });

  it('does not let a reseller activate its own unverified domain, but lets it disable and re-enable a verified one', async () => {
    const reseller = await api.reseller();
    const { body } = await reseller.client.post('/v1/domains', { name: 'mine.test' });
    const refused = await reseller.client.patch(`/v1/domains/${body.id}`, { status: 'active' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('domain_not_verified');
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: body.id } })).status).toBe('pending_verification');

    await api.admin.patch(`/v1/domains/${body.id}`, { status: 'active' });
    expect((await reseller.client.patch(`/v1/domains/${body.id}`, { status: 'disabled' })).body.status).toBe('disabled');
    expect((await reseller.client.patch(`/v1/domains/${body.id}`, { status: 'active' })).body.status).toBe('active');
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: body.id } })).status).toBe('active');
  });

  it('refuses to delete a domain that still has mailboxes, then deletes it when empty', async () => {
    const { body: domain } = await api.admin.post('/v1/domains', { name: 'full.test' });
    const { body: mailbox } = await api.admin.post('/v1/mailboxes', { address: 'a@full.test', password: GOOD_PASSWORD });
    const refused = await api.admin.delete(`/v1/domains/${domain.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('domain_not_empty');
    expect(await api.db.domain.count({ where: { id: domain.id } })).toBe(1);

    expect((await api.admin.delete(`/v1/mailboxes/${mailbox.id}`)).status).toBe(204);
    expect((await api.admin.delete(`/v1/domains/${domain.id}`)).status).toBe(204);
    expect(await api.db.domain.count({ where: { id: domain.id } })).toBe(0);
    expect(await api.db.nameClaim.count({ where: { name: { in: ['full.test', 'a@full.test'] } } })).toBe(0);
  });

  it.each([
    ['a label that is too long', `${'a'.repeat(64)}.test`, 'invalid_domain'],
    ['a name that is too long', `${'abcdefghi.'.repeat(26)}test`, 'too_long'],
    ['a single label', 'localhost', 'invalid_domain'],
    ['a leading hyphen', '-bad.test', 'invalid_domain'],
    ['an underscore', 'bad_name.test', 'invalid_domain'],
    ['a numeric top-level label', '192.168.0.1', 'invalid_domain'],
    ['a space', 'bad name.test', 'invalid_characters'],
    ['a CR/LF', 'bad.test\r\nX-Injected: 1', 'invalid_characters'],
    ['a NUL', 'bad\u0000.test', 'invalid_characters'],
    ['a zero-width joiner', 'ba\u200dd.test', 'invalid_characters'],
  ])('rejects %s with a code and writes nothing', async (_, name, code) => {
    const before = await api.db.domain.count();
    const res = await api.admin.post('/v1/domains', { name });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'name', code }] });
    expect(await api.db.domain.count()).toBe(before);
  });
});
