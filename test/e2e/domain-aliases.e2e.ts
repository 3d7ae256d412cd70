import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { TestDnsServer } from '../support/dns-server.js';

describe('domain aliases', () => {
  let dns: TestDnsServer;
  let api: TestApi;
  let owner: { id: string; client: Client; domainId: string };
  let other: { id: string; client: Client; domainId: string };
  const txt = (name: string, value: string) => ({ name: `_postmaster-verify.${name}`, type: 'TXT', value });
  const mailDomains = async () => (await api.db.$queryRaw<{ domain: string }[]>`SELECT domain FROM mail_domains ORDER BY domain`).map((r) => r.domain);
  const mailAliases = async (domain: string) =>
    (await api.db.$queryRaw<{ address: string; destination: string }[]>`SELECT address, destination FROM mail_aliases WHERE domain = ${domain}`);

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    api = await TestApi.start({ DNS_SERVERS: dns.address });
    owner = await api.resellerWithDomain('owner.test');
    other = await api.resellerWithDomain('other.test');
    // The owner's domain is live (the platform activated it), with a mailbox an alias can show.
    expect((await api.admin.patch(`/v1/domains/${owner.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await owner.client.post('/v1/mailboxes', { address: 'box@owner.test', password: GOOD_PASSWORD })).status).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
    await dns?.stop();
  });

  it('creates a domain alias pending verification, stored as its A-label with the Unicode form and its TXT record shown', async () => {
    const res = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'Bücher.Test.', targetDomainId: owner.domainId });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      aliasDomain: 'xn--bcher-kva.test',
      unicodeAliasDomain: 'bücher.test',
      targetDomainId: owner.domainId,
      targetDomain: 'owner.test',
      status: 'pending_verification',
      verification: {
        type: 'TXT', name: '_postmaster-verify.xn--bcher-kva.test', value: expect.stringMatching(/^postmaster-verify=[\w-]{24}$/), verifiedAt: null,
      },
      createdAt: expect.any(String),
    });
    const row = await api.db.domainAlias.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row).toMatchObject({ name: 'xn--bcher-kva.test', targetDomainId: owner.domainId, status: 'pending_verification', verifiedAt: null });
    expect(`postmaster-verify=${row.verificationToken}`).toBe(res.body.verification.value);
    expect(await api.db.nameClaim.findUnique({ where: { name: 'xn--bcher-kva.test' } })).toMatchObject({ domainAliasId: row.id });
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: row.id } });
    expect(audit).toMatchObject({ action: 'domain_alias.create', resellerId: owner.id, targetType: 'domain_alias', before: null });
    expect(audit.after).toMatchObject({ aliasDomain: 'xn--bcher-kva.test', targetDomainId: owner.domainId, status: 'pending_verification' });
    expect((await owner.client.get(`/v1/domain-aliases/${row.id}`)).body).toEqual(res.body);
  });

  it('keeps an unproven alias (even of gmail.com) out of the mail services until its own token is verified, audited', async () => {
    const gmail = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'gmail.com', targetDomainId: owner.domainId });
    expect(gmail.status).toBe(201);
    expect(gmail.body.status).toBe('pending_verification');
    const { body: alias } = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'proof.test', targetDomainId: owner.domainId });
    expect(await mailDomains()).toEqual(['owner.test']);
    expect(await mailAliases('gmail.com')).toEqual([]);
    expect(await mailAliases('proof.test')).toEqual([]);

    const absent = await owner.client.post(`/v1/domain-aliases/${alias.id}/verify`);
    expect(absent.status).toBe(422);
    expect(absent.body).toMatchObject({ code: 'verification_record_missing', detail: expect.stringContaining(alias.verification.value) });
    await dns.publish(txt('proof.test', 'postmaster-verify=not-the-token'));
    expect((await owner.client.post(`/v1/domain-aliases/${alias.id}/verify`)).body.detail).toContain('found only "postmaster-verify=not-the-token"');
    expect(await api.db.domainAlias.findUniqueOrThrow({ where: { id: alias.id } })).toMatchObject({ status: 'pending_verification', verifiedAt: null });
    const readOnly = await api.keyLike(owner.client, { readOnly: true });
    expect((await readOnly.post(`/v1/domain-aliases/${alias.id}/verify`)).status).toBe(403);
    expect((await other.client.post(`/v1/domain-aliases/${alias.id}/verify`)).status).toBe(404);

    await dns.publish(txt('proof.test', alias.verification.value));
    const ok = await owner.client.post(`/v1/domain-aliases/${alias.id}/verify`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'active', verification: { verifiedAt: expect.any(String) } });
    expect(await api.db.domainAlias.findUniqueOrThrow({ where: { id: alias.id } })).toMatchObject({ status: 'active', verifiedAt: expect.any(Date) });
    expect(await mailDomains()).toEqual(['owner.test', 'proof.test']);
    expect(await mailAliases('proof.test')).toEqual([{ address: 'box@proof.test', destination: 'box@owner.test' }]);
    expect(await api.db.auditEntry.count({ where: { targetId: alias.id, action: 'domain_alias.verify' } })).toBe(1);
    expect((await owner.client.post(`/v1/domain-aliases/${alias.id}/verify`)).status).toBe(200);
    expect(await api.db.auditEntry.count({ where: { targetId: alias.id, action: 'domain_alias.verify' } })).toBe(1);
  });

  it('is active at once as a subdomain of the tenant’s own verified domain, or with its token published beforehand', async () => {
    const sub = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'lists.owner.test', targetDomainId: owner.domainId });
    expect(sub.body).toMatchObject({ status: 'active', verification: { verifiedAt: expect.any(String) } });
    // Another tenant's subdomain of it needs a proof of its own.
    const foreignSub = await other.client.post('/v1/domain-aliases', { aliasDomain: 'shop.owner.test', targetDomainId: other.domainId });
    expect(foreignSub.body.status).toBe('pending_verification');

    const token = (await owner.client.post('/v1/domain-aliases', { aliasDomain: 'early.test', targetDomainId: owner.domainId })).body;
    await owner.client.delete(`/v1/domain-aliases/${token.id}`);
    await dns.publish(txt('early.test', token.verification.value));
    const early = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'early.test', targetDomainId: owner.domainId });
    expect(early.body).toMatchObject({ status: 'active', verification: { value: token.verification.value } });
    expect(await api.db.domainAlias.findUniqueOrThrow({ where: { id: early.body.id } })).toMatchObject({ status: 'active', verifiedAt: expect.any(Date) });
    expect(await mailDomains()).toEqual(expect.arrayContaining(['lists.owner.test', 'early.test']));
    expect(await mailDomains()).not.toContain('shop.owner.test');
  });

  it('lets only the platform activate an unproven alias, audited', async () => {
    const { body: alias } = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'trusted.test', targetDomainId: owner.domainId });
    const refused = await owner.client.patch(`/v1/domain-aliases/${alias.id}`, { status: 'active' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('domain_not_verified');
    expect(await api.db.domainAlias.findUniqueOrThrow({ where: { id: alias.id } })).toMatchObject({ status: 'pending_verification' });
    expect((await owner.client.patch(`/v1/domain-aliases/${alias.id}`, { status: 'pending_verification' })).status).toBe(422);

    const activated = await api.admin.patch(`/v1/domain-aliases/${alias.id}`, { status: 'active' });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ status: 'active', verification: { verifiedAt: expect.any(String) } });
    expect(await api.db.domainAlias.findUniqueOrThrow({ where: { id: alias.id } })).toMatchObject({ status: 'active', verifiedAt: expect.any(Date) });
    expect(await mailDomains()).toContain('trusted.test');
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: alias.id, action: 'domain_alias.activate_unverified' } });
    expect(audit).toMatchObject({ actorType: 'api_key', resellerId: owner.id, before: { status: 'pending_verification' }, after: { status: 'active' } });
    // Once active, the reseller's own PATCH changes nothing.
    expect((await owner.client.patch(`/v1/domain-aliases/${alias.id}`, { status: 'active' })).status).toBe(200);
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

  it('keeps domain and domain-alias names in one namespace, both ways, within a tenant', async () => {
    const onDomain = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'OWNER.test', targetDomainId: owner.domainId });
    expect(onDomain.status).toBe(409);
    expect(onDomain.body).toMatchObject({ code: 'domain_taken', errors: [{ field: 'aliasDomain', code: 'domain_taken' }] });
    expect(await api.db.domainAlias.count({ where: { name: 'owner.test' } })).toBe(0);

    const onAlias = await owner.client.post('/v1/domains', { name: 'BÜCHER.test' });
    expect(onAlias.status).toBe(409);
    expect(onAlias.body).toMatchObject({ code: 'domain_taken', errors: [{ field: 'name', code: 'domain_taken' }] });
    expect(await api.db.domain.count({ where: { name: 'xn--bcher-kva.test' } })).toBe(0);
    expect(await api.db.nameClaim.findUnique({ where: { name: 'xn--bcher-kva.test' } }))
      .toMatchObject({ domainId: null, domainAliasId: expect.any(String) });

    const twice = await owner.client.post('/v1/domain-aliases', { aliasDomain: 'xn--bcher-kva.test', targetDomainId: owner.domainId });
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
    expect(names(await lister.client.get('/v1/domain-aliases?status=active'))).toEqual([]);
    expect(names(await lister.client.get('/v1/domain-aliases?status=pending_verification'))).toEqual(['a.test', 'a2.test', 'ab.test', 'b.test']);
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
