import { type Client, TestApi } from '../support/api.js';

describe('domain aliases', () => {
  let api: TestApi;
  let owner: { id: string; client: Client; domainId: string };
  let other: { id: string; client: Client; domainId: string };

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.resellerWithDomain('owner.test');
    other = await api.resellerWithDomain('other.test');
  });
  afterAll(() => api?.close());

  it('creates a domain alias, stored as its A-label with the Unicode form shown', async () => {
    const res = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'Bücher.Test.', targetDomainId: owner.domainId });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      aliasDomain: 'xn--bcher-kva.test',
      unicodeAliasDomain: 'bücher.test',
      targetDomainId: owner.domainId,
      targetDomain: 'owner.test',
      createdAt: expect.any(String),
    });
    const row = await api.db.domainAlias.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row).toMatchObject({ name: 'xn--bcher-kva.test', targetDomainId: owner.domainId });
    expect(await api.db.nameClaim.findUnique({ where: { name: 'xn--bcher-kva.test' } })).toMatchObject({ domainAliasId: row.id });
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: row.id } });
    expect(audit).toMatchObject({ action: 'domain_alias.create', resellerId: owner.id, targetType: 'domain_alias', before: null });
    expect(audit.after).toMatchObject({ aliasDomain: 'xn--bcher-kva.test', targetDomainId: owner.domainId });
    expect((await owner.client.get(`/v1/domain-aliases/${row.id}`)).body).toEqual(res.body);
  });

  it('refuses a target among another reseller\'s domains exactly like a missing one', async () => {
    const before = await api.db.domainAlias.count();
    const foreign = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'sneaky.test', targetDomainId: other.domainId });
    const missing = await owner.client.post('/v1/domain-aliases', {
      aliasDomain: 'sneaky.test', targetDomainId: '00000000-0000-4000-8000-000000000000',
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'targetDomainId', code: 'unknown_domain' }] });
    expect(missing.body).toEqual(foreign.body);
    expect(await api.db.domainAlias.count()).toBe(before);
    expect(await api.db.nameClaim.count({ where: { name: 'sneaky.test' } })).toBe(0);
  });

  it('keeps domain and domain-alias names in one namespace, both ways', async () => {
    const onDomain = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'OTHER.test', targetDomainId: owner.domainId });
    expect(onDomain.status).toBe(409);
    expect(onDomain.body).toMatchObject({ code: 'domain_taken', errors: [{ field: 'aliasDomain', code: 'domain_taken' }] });
    expect(await api.db.domainAlias.count({ where: { name: 'other.test' } })).toBe(0);

    const onAlias = await other.client.post('/v1/domains', { name: 'BÜCHER.test' });
    expect(onAlias.status).toBe(409);
    expect(onAlias.body).toMatchObject({ code: 'domain_taken', errors: [{ field: 'name', code: 'domain_taken' }] });
    expect(await api.db.domain.count({ where: { name: 'xn--bcher-kva.test' } })).toBe(0);
    expect(await api.db.nameClaim.findUnique({ where: { name: 'xn--bcher-kva.test' } }))
      .toMatchObject({ domainId: null, domainAliasId: expect.any(String) });

    const twice = await other.client.post('/v1/domain-aliases', { aliasDomain: 'xn--bcher-kva.test', targetDomainId: other.domainId });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('domain_taken');
    expect(await api.db.domainAlias.count({ where: { name: 'xn--bcher-kva.test' } })).toBe(1);
  });

  it('lists with target and prefix filters and cursor pagination', async () => {
    const lister = await api.resellerWithDomain('list.test');
    const second = await lister.client.post('/v1/domains', { name: 'list2.test' });
    for (const [aliasDomain, targetDomainId] of [
      ['ab.test', lister.domainId], ['a.test', lister.domainId], ['b.test', lister.domainId], ['a2.test', second.body.id],
    ]) {
      expect((await lister.client.post('/v1/domain-aliases', { aliasDomain, targetDomainId })).status).toBe(201);
    }
    const names = (res: { body: { items: { aliasDomain: string }[] } }) => res.body.items.map((a) => a.aliasDomain);

    const all = await lister.client.get('/v1/domain-aliases');
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    expect(names(all)).toEqual(['a.test', 'a2.test', 'ab.test', 'b.test']);
    expect(names(await lister.client.get(`/v1/domain-aliases?targetDomainId=${second.body.id}`))).toEqual(['a2.test']);
    expect(names(await lister.client.get(`/v1/domain-aliases?targetDomainId=${lister.domainId}&q=A`))).toEqual(['a.test', 'ab.test']);
    expect((await lister.client.get(`/v1/domain-aliases?targetDomainId=${owner.domainId}`)).body).toEqual({ items: [], nextCursor: null });

    const page1 = await lister.client.get('/v1/domain-aliases?q=a&limit=2');
    expect(names(page1)).toEqual(['a.test', 'a2.test']);
    const page2 = await lister.client.get(`/v1/domain-aliases?q=a&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body).toMatchObject({ items: [{ aliasDomain: 'ab.test', targetDomain: 'list.test' }], nextCursor: null });

    const foreign = await owner.client.get(`/v1/domain-aliases/${all.body.items[0].id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('not_found');
  });

  it('deletes a domain alias with its name claim, audited, and frees the name', async () => {
    const { body: alias } = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'gone.test', targetDomainId: owner.domainId });
    expect((await other.client.delete(`/v1/domain-aliases/${alias.id}`)).status).toBe(404);
    expect(await api.db.domainAlias.count({ where: { id: alias.id } })).toBe(1);

    expect((await owner.client.delete(`/v1/domain-aliases/${alias.id}`)).status).toBe(204);
    expect(await api.db.domainAlias.count({ where: { id: alias.id } })).toBe(0);
    expect(await api.db.nameClaim.count({ where: { name: 'gone.test' } })).toBe(0);
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: alias.id, action: 'domain_alias.delete' } });
    expect(audit).toMatchObject({ resellerId: owner.id, after: null, before: { aliasDomain: 'gone.test', targetDomainId: owner.domainId } });
    expect((await owner.client.get(`/v1/domain-aliases/${alias.id}`)).status).toBe(404);
    expect((await owner.client.delete(`/v1/domain-aliases/${alias.id}`)).status).toBe(404);
    expect((await other.client.post('/v1/domains', { name: 'gone.test' })).status).toBe(201);
  });

  it.each([
    ['a single-label alias domain', { aliasDomain: 'localhost', targetDomainId: 'T' }, 'aliasDomain', 'invalid_domain'],
    ['a CR/LF in the alias domain', { aliasDomain: 'bad.test\r\n', targetDomainId: 'T' }, 'aliasDomain', 'invalid_characters'],
    ['a target that is not a UUID', { aliasDomain: 'fine.test', targetDomainId: 'owner.test' }, 'targetDomainId', 'invalid_format'],
    ['a missing target', { aliasDomain: 'fine.test' }, 'targetDomainId', 'invalid_type'],
    ['an unknown field resellerId', { aliasDomain: 'fine.test', targetDomainId: 'T', resellerId: 'T' }, 'resellerId', 'unknown_field'],
  ])('refuses %s and writes nothing', async (_, body, field, code) => {
    const fill = (value: unknown) => (value === 'T' ? owner.domainId : value);
    const filled = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fill(v)]));
    const before = await api.db.domainAlias.count();
    const res = await owner.client.post('/v1/domain-aliases', filled);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field, code }] });
    expect(await api.db.domainAlias.count()).toBe(before);
  });
});
