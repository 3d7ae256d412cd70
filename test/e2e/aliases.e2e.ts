import { GOOD_PASSWORD, type Client, TestApi } from '../support/api.js';

describe('aliases', () => {
  let api: TestApi;
  let owner: { id: string; client: Client; domainId: string };
  let other: { id: string; client: Client; domainId: string };

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.resellerWithDomain('owner.test');
    other = await api.resellerWithDomain('other.test');
    expect((await owner.client.post('/v1/domains', { name: 'second.test' })).status).toBe(201);
    expect((await owner.client.post('/v1/domain-aliases', { aliasDomain: 'owner-alias.test', targetDomainId: owner.domainId })).status).toBe(201);
    expect((await owner.client.post('/v1/mailboxes', { address: 'box@owner.test', password: GOOD_PASSWORD })).status).toBe(201);
    expect((await other.client.post('/v1/mailboxes', { address: 'exists@other.test', password: GOOD_PASSWORD })).status).toBe(201);
  });
  afterAll(() => api?.close());

  it('creates an alias with normalized, deduplicated destinations and lists the external ones', async () => {
    const res = await owner.client.post('/v1/aliases', {
      source: 'Sales@OWNER.test',
      destinations: ['Box@Owner.Test', 'box@owner.test', 'x@second.test', 'y@owner-alias.test', 'Friend@Bücher.example'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      source: 'sales@owner.test',
      catchAll: false,
      domainId: owner.domainId,
      destinations: ['box@owner.test', 'x@second.test', 'y@owner-alias.test', 'friend@xn--bcher-kva.example'],
      external: ['friend@xn--bcher-kva.example'],
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const row = await api.db.alias.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row).toMatchObject({ source: 'sales@owner.test', destinations: res.body.destinations, enabled: true, domainId: owner.domainId });
    expect(await api.db.nameClaim.findUnique({ where: { name: 'sales@owner.test' } })).toMatchObject({ aliasId: row.id });
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: row.id } });
    expect(audit).toMatchObject({ action: 'alias.create', resellerId: owner.id, targetType: 'alias', before: null });
    expect(audit.after).toMatchObject({ source: 'sales@owner.test', destinations: res.body.destinations });
    expect((await owner.client.get(`/v1/aliases/${row.id}`)).body).toEqual(res.body);
  });

  it('creates one catch-all per domain', async () => {
    const res = await owner.client.post('/v1/aliases', { source: '@Owner.Test', destinations: ['box@owner.test'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: '@owner.test', catchAll: true, domainId: owner.domainId, external: [] });
    expect(await api.db.nameClaim.findUnique({ where: { name: '@owner.test' } })).toMatchObject({ aliasId: res.body.id });

    const second = await owner.client.post('/v1/aliases', { source: '@OWNER.TEST', destinations: ['x@second.test'] });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'address_taken', errors: [{ field: 'source', code: 'address_taken' }] });
    expect(await api.db.alias.count({ where: { source: '@owner.test' } })).toBe(1);
    expect((await api.db.alias.findUniqueOrThrow({ where: { id: res.body.id } })).destinations).toEqual(['box@owner.test']);
  });

  it('treats an address in another reseller\'s domain as external, whether or not it exists', async () => {
    const existing = await owner.client.post('/v1/aliases', { source: 'fwd1@owner.test', destinations: ['exists@other.test'] });
    const missing = await owner.client.post('/v1/aliases', { source: 'fwd2@owner.test', destinations: ['missing@other.test'] });
    expect([existing.status, missing.status]).toEqual([201, 201]);
    expect(existing.body.external).toEqual(['exists@other.test']);
    expect(missing.body.external).toEqual(['missing@other.test']);
    // The answers differ only in the address the client chose, never in what it says about it.
    const masked = (body: object) =>
      JSON.stringify({ ...body, id: '', source: '', createdAt: '', updatedAt: '' }).replaceAll(/(exists|missing)@/g, '*@');
    expect(masked(existing.body)).toBe(masked(missing.body));
    expect(existing.headers['content-type']).toBe(missing.headers['content-type']);

    const listed = await owner.client.get('/v1/aliases?q=fwd');
    expect(listed.body.items.map((a: any) => a.external)).toEqual([['exists@other.test'], ['missing@other.test']]);
    expect(await api.db.mailbox.count({ where: { address: 'missing@other.test' } })).toBe(0);
  });

  it('refuses a source that is already a mailbox, and changes nothing', async () => {
    const before = await api.db.alias.count();
    const res = await owner.client.post('/v1/aliases', { source: 'BOX@owner.test', destinations: ['x@second.test'] });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'address_taken', errors: [{ field: 'source', code: 'address_taken' }] });
    expect(await api.db.alias.count()).toBe(before);
    expect(await api.db.nameClaim.findUnique({ where: { name: 'box@owner.test' } })).toMatchObject({ aliasId: null, mailboxId: expect.any(String) });
  });

  it('refuses a source in an unknown domain, and in another reseller\'s domain exactly alike', async () => {
    const before = await api.db.alias.count();
    const unknown = await owner.client.post('/v1/aliases', { source: 'a@nowhere.test', destinations: ['box@owner.test'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'source', code: 'unknown_domain' }] });
    const foreign = await owner.client.post('/v1/aliases', { source: 'a@other.test', destinations: ['box@owner.test'] });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toEqual(unknown.body);
    expect(await api.db.alias.count()).toBe(before);
  });

  it('refuses an alias that forwards to itself', async () => {
    const res = await owner.client.post('/v1/aliases', { source: 'loop@owner.test', destinations: ['box@owner.test', 'Loop@Owner.test'] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'destinations', code: 'alias_loop' }] });
    expect(await api.db.alias.count({ where: { source: 'loop@owner.test' } })).toBe(0);
    expect(await api.db.nameClaim.count({ where: { name: 'loop@owner.test' } })).toBe(0);
  });

  it('updates destinations and enabled separately, audited with before and after', async () => {
    const { body: alias } = await owner.client.post('/v1/aliases', { source: 'team@owner.test', destinations: ['box@owner.test'] });

    const res = await owner.client.patch(`/v1/aliases/${alias.id}`, { destinations: ['A@second.test', 'a@second.test', 'out@elsewhere.test'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ destinations: ['a@second.test', 'out@elsewhere.test'], external: ['out@elsewhere.test'], enabled: true });
    expect(await api.db.alias.findUniqueOrThrow({ where: { id: alias.id } }))
      .toMatchObject({ source: 'team@owner.test', destinations: ['a@second.test', 'out@elsewhere.test'], enabled: true });

    const disabled = await owner.client.patch(`/v1/aliases/${alias.id}`, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ destinations: ['a@second.test', 'out@elsewhere.test'], enabled: false });
    expect(await api.db.alias.findUniqueOrThrow({ where: { id: alias.id } }))
      .toMatchObject({ destinations: ['a@second.test', 'out@elsewhere.test'], enabled: false });

    const loop = await owner.client.patch(`/v1/aliases/${alias.id}`, { destinations: ['TEAM@owner.test'] });
    expect(loop.status).toBe(422);
    expect(loop.body.errors).toMatchObject([{ field: 'destinations', code: 'alias_loop' }]);
    const source = await owner.client.patch(`/v1/aliases/${alias.id}`, { source: 'renamed@owner.test' });
    expect(source.status).toBe(422);
    expect(source.body.errors).toMatchObject([{ field: 'source', code: 'unknown_field' }]);
    expect(await api.db.alias.findUniqueOrThrow({ where: { id: alias.id } }))
      .toMatchObject({ source: 'team@owner.test', destinations: ['a@second.test', 'out@elsewhere.test'], enabled: false });

    const audit = await api.db.auditEntry.findMany({ where: { targetId: alias.id, action: 'alias.update' }, orderBy: { createdAt: 'asc' } });
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ before: { destinations: ['box@owner.test'] }, after: { destinations: ['a@second.test', 'out@elsewhere.test'] } });
    expect(audit[1]).toMatchObject({ before: { enabled: true }, after: { enabled: false } });

    expect((await other.client.patch(`/v1/aliases/${alias.id}`, { enabled: true })).status).toBe(404);
    expect((await api.db.alias.findUniqueOrThrow({ where: { id: alias.id } })).enabled).toBe(false);
  });

  it('deletes an alias with its name claim, audited', async () => {
    const { body: alias } = await owner.client.post('/v1/aliases', { source: 'gone@owner.test', destinations: ['box@owner.test'] });
    expect((await other.client.delete(`/v1/aliases/${alias.id}`)).status).toBe(404);
    expect(await api.db.alias.count({ where: { id: alias.id } })).toBe(1);

    expect((await owner.client.delete(`/v1/aliases/${alias.id}`)).status).toBe(204);
    expect(await api.db.alias.count({ where: { id: alias.id } })).toBe(0);
    expect(await api.db.nameClaim.count({ where: { name: 'gone@owner.test' } })).toBe(0);
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: alias.id, action: 'alias.delete' } });
    expect(audit).toMatchObject({ resellerId: owner.id, after: null, before: { source: 'gone@owner.test', destinations: ['box@owner.test'] } });
    expect((await owner.client.get(`/v1/aliases/${alias.id}`)).status).toBe(404);
    expect((await owner.client.post('/v1/mailboxes', { address: 'gone@owner.test', password: GOOD_PASSWORD })).status).toBe(201);
  });

  it('lists with domainId and prefix filters and cursor pagination', async () => {
    const lister = await api.resellerWithDomain('list.test');
    const second = await lister.client.post('/v1/domains', { name: 'list2.test' });
    for (const source of ['ab@list.test', 'a@list.test', '@list.test', 'a@list2.test']) {
      expect((await lister.client.post('/v1/aliases', { source, destinations: ['to@example.net'] })).status).toBe(201);
    }
    const sources = (res: { body: { items: { source: string }[] } }) => res.body.items.map((a) => a.source);

    const all = await lister.client.get('/v1/aliases');
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    expect(sources(all)).toEqual(['@list.test', 'a@list.test', 'a@list2.test', 'ab@list.test']);
    expect(sources(await lister.client.get(`/v1/aliases?domainId=${second.body.id}`))).toEqual(['a@list2.test']);
    expect(sources(await lister.client.get(`/v1/aliases?domainId=${lister.domainId}&q=A`))).toEqual(['a@list.test', 'ab@list.test']);
    expect((await lister.client.get(`/v1/aliases?domainId=${owner.domainId}`)).body).toEqual({ items: [], nextCursor: null });

    const page1 = await lister.client.get('/v1/aliases?q=a&limit=2');
    expect(sources(page1)).toEqual(['a@list.test', 'a@list2.test']);
    const page2 = await lister.client.get(`/v1/aliases?q=a&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body).toMatchObject({ items: [{ source: 'ab@list.test' }], nextCursor: null });
  });

  it('accepts exactly 100 destinations', async () => {
    const destinations = Array.from({ length: 100 }, (_, i) => `d${i}@example.net`);
    const res = await owner.client.post('/v1/aliases', { source: 'many@owner.test', destinations });
    expect(res.status).toBe(201);
    expect((await api.db.alias.findUniqueOrThrow({ where: { id: res.body.id } })).destinations).toEqual(destinations);
  });

  it.each([
    ['no destinations', { source: 'bad@owner.test', destinations: [] }, 'destinations', 'too_small'],
    ['a missing destinations field', { source: 'bad@owner.test' }, 'destinations', 'invalid_type'],
    ['101 destinations', { source: 'bad@owner.test', destinations: Array.from({ length: 101 }, (_, i) => `d${i}@example.net`) }, 'destinations', 'too_big'],
    ['a destination without @', { source: 'bad@owner.test', destinations: ['box@owner.test', 'nobody'] }, 'destinations.1', 'invalid_address'],
    ['a destination in a bad domain', { source: 'bad@owner.test', destinations: ['x@-bad.test'] }, 'destinations.0', 'invalid_domain'],
    ['a CR/LF in a destination', { source: 'bad@owner.test', destinations: ['x@owner.test\r\nBcc: y@evil.test'] }, 'destinations.0', 'invalid_characters'],
    ['a CR/LF in the source', { source: 'bad@owner.test\r\n', destinations: ['box@owner.test'] }, 'source', 'invalid_characters'],
    ['a catch-all without a domain', { source: '@', destinations: ['box@owner.test'] }, 'source', 'invalid_domain'],
    ['an invalid local part', { source: 'a..b@owner.test', destinations: ['box@owner.test'] }, 'source', 'invalid_local_part'],
    ['an unknown field domainId (mass assignment)', { source: 'bad@owner.test', destinations: ['box@owner.test'], domainId: '00000000-0000-4000-8000-000000000000' }, 'domainId', 'unknown_field'],
    ['a string for enabled', { source: 'bad@owner.test', destinations: ['box@owner.test'], enabled: 'false' }, 'enabled', 'invalid_type'],
  ])('refuses %s and writes nothing', async (_, body, field, code) => {
    const before = await api.db.alias.count();
    const res = await owner.client.post('/v1/aliases', body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [{ field, code }] });
    expect(await api.db.alias.count()).toBe(before);
    expect(await api.db.nameClaim.count({ where: { name: 'bad@owner.test' } })).toBe(0);
  });
});
