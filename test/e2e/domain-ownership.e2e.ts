import { DomainVerificationService } from '../../src/domain-dns/domain-verification.service.js';
import { DomainOwnership } from '../../src/domains/domain-ownership.js';
import { GOOD_PASSWORD, TestApi } from '../support/api.js';
import { TestDnsServer } from '../support/dns-server.js';

const HOUR_MS = 3_600_000;
const EXPIRY_HOURS = 48;

// Proof of ownership against a real DNS server: tokens, tenancy of names, expiry, bad names.
describe('Domain ownership', () => {
  let dns: TestDnsServer;
  let api: TestApi;
  const txt = (name: string, value: string) => ({ name: `_postmaster-verify.${name}`, type: 'TXT', value });

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    api = await TestApi.start({ DNS_SERVERS: dns.address, DOMAIN_VERIFICATION_EXPIRY_HOURS: String(EXPIRY_HOURS) });
  });

  afterAll(async () => {
    await api?.close();
    await dns?.stop();
  });

  it('verifies only with the right token, then activates the domain with its first DKIM key, audited', async () => {
    const { client, domainId } = await api.resellerWithDomain('owned.test');
    const domain = (await client.get(`/v1/domains/${domainId}`)).body;
    expect(domain).toMatchObject({ status: 'pending_verification', dkim: [], verification: { type: 'TXT', name: '_postmaster-verify.owned.test' } });

    const absent = await client.post(`/v1/domains/${domainId}/verify`);
    expect(absent.status).toBe(422);
    expect(absent.body).toMatchObject({ code: 'verification_record_missing', detail: expect.stringContaining('found no verification record') });

    await dns.publish(txt('owned.test', 'postmaster-verify=not-the-token'), { name: 'owned.test', type: 'TXT', value: domain.verification.value });
    const wrong = await client.post(`/v1/domains/${domainId}/verify`);
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toContain('found only "postmaster-verify=not-the-token"');
    expect(await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).toMatchObject({ status: 'pending_verification', verifiedAt: null });

    await dns.publish(txt('owned.test', domain.verification.value));
    const ok = await client.post(`/v1/domains/${domainId}/verify`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'active', verification: { verifiedAt: expect.any(String) } });
    expect(ok.body.dkim).toEqual([expect.objectContaining({ state: 'active', algorithm: 'rsa', type: 'TXT', value: expect.stringMatching(/^v=DKIM1; k=rsa; p=/) })]);
    expect(await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).toMatchObject({ status: 'active', verifiedAt: expect.any(Date) });
    expect(await api.db.dkimKey.count({ where: { domainId, state: 'active' } })).toBe(1);
    expect(await api.db.auditEntry.count({ where: { targetId: domainId, action: 'domain.verify' } })).toBe(1);
    // Verifying again changes nothing.
    expect((await client.post(`/v1/domains/${domainId}/verify`)).status).toBe(200);
    expect(await api.db.auditEntry.count({ where: { targetId: domainId, action: 'domain.verify' } })).toBe(1);
  });

  it('refuses a name active under another tenant, and a read-only key cannot verify', async () => {
    const other = await api.reseller({}, 'Other');
    const taken = await other.client.post('/v1/domains', { name: 'owned.test' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('domain_taken');
    expect(await api.db.domain.count({ where: { name: 'owned.test' } })).toBe(1);

    const { client, domainId } = await api.resellerWithDomain('readonly.test');
    const readOnly = await api.keyLike(client, { readOnly: true });
    expect((await readOnly.post(`/v1/domains/${domainId}/verify`)).status).toBe(403);
    expect((await readOnly.get(`/v1/domains/${domainId}`)).status).toBe(200);
  });

  it('lets the owner take a name over from another tenant that never proved it', async () => {
    const squatter = await api.resellerWithDomain('contested.test');
    const owner = await api.reseller({}, 'Owner');
    const refused = await owner.client.post('/v1/domains', { name: 'contested.test' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('domain_pending_elsewhere');
    const token = /postmaster-verify=([\w-]{24})/.exec(refused.body.detail)![1];
    const squatterToken = (await squatter.client.get(`/v1/domains/${squatter.domainId}`)).body.verification.value;
    expect(`postmaster-verify=${token}`).not.toBe(squatterToken);

    await dns.publish(txt('contested.test', `postmaster-verify=${token}`));
    const created = await owner.client.post('/v1/domains', { name: 'contested.test' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', resellerId: owner.id, verification: { value: `postmaster-verify=${token}` } });
    expect(await api.db.domain.findMany({ where: { name: 'contested.test' } })).toEqual([expect.objectContaining({ resellerId: owner.id, status: 'active' })]);
    expect(await api.db.auditEntry.count({ where: { targetId: squatter.domainId, action: 'domain.take_over' } })).toBe(1);
    expect((await squatter.client.get(`/v1/domains/${squatter.domainId}`)).status).toBe(404);
  });

  it('needs no new proof for a subdomain of the tenant’s own verified domain, but does for another tenant’s', async () => {
    const owner = await api.db.domain.findUniqueOrThrow({ where: { name: 'owned.test' } });
    const ownerKey = await api.admin.post('/v1/api-keys', { name: 'owner again', resellerId: owner.resellerId });
    const own = await api.client(ownerKey.body.key).post('/v1/domains', { name: 'lists.owned.test' });
    expect(own.status).toBe(201);
    expect(own.body.status).toBe('active');

    const other = await api.reseller({}, 'Neighbour');
    const sub = await other.client.post('/v1/domains', { name: 'shop.owned.test' });
    expect(sub.status).toBe(201);
    expect(sub.body.status).toBe('pending_verification');
    expect((await other.client.post(`/v1/domains/${sub.body.id}/verify`)).status).toBe(422);
  });

  it('lets the worker verify pending domains whose record appeared and delete those past the expiry', async () => {
    const late = await api.resellerWithDomain('late.test');
    const stale = await api.resellerWithDomain('stale.test');
    await api.db.domain.update({ where: { id: stale.domainId }, data: { createdAt: new Date(Date.now() - (EXPIRY_HOURS + 1) * HOUR_MS) } });
    expect((await stale.client.post('/v1/mailboxes', { address: 'box@stale.test', password: GOOD_PASSWORD })).status).toBe(201);
    const token = (await late.client.get(`/v1/domains/${late.domainId}`)).body.verification.value;
    await dns.publish(txt('late.test', token));

    const result = await api.app.get(DomainVerificationService).recheckPending();
    expect(result).toEqual({ verified: 1, expired: 1, aliases: { verified: 0, expired: 0 } });
    expect(await api.db.domain.findUniqueOrThrow({ where: { id: late.domainId } })).toMatchObject({ status: 'active', verifiedAt: expect.any(Date) });
    expect(await api.db.domain.findUnique({ where: { id: stale.domainId } })).toBeNull();
    expect(await api.db.nameClaim.findUnique({ where: { name: 'stale.test' } })).toBeNull();
    expect(await api.db.mailbox.count({ where: { domainId: stale.domainId } })).toBe(0);
    expect(await api.db.auditEntry.findFirst({ where: { targetId: stale.domainId, action: 'domain.expire', actorType: 'worker' } })).not.toBeNull();
    // The name is free again.
    expect((await api.admin.post('/v1/domains', { name: 'stale.test' })).status).toBe(201);
  });

  it('shares one namespace with domain aliases: a verified alias blocks a domain of that name, a verified domain an alias', async () => {
    const holder = await api.resellerWithDomain('alias-holder.test');
    const { body: alias } = await holder.client.post('/v1/domain-aliases', { aliasDomain: 'proven-alias.test', targetDomainId: holder.domainId });
    expect(alias.status).toBe('pending_verification');
    await dns.publish(txt('proven-alias.test', alias.verification.value));
    expect((await holder.client.post(`/v1/domain-aliases/${alias.id}/verify`)).body.status).toBe('active');

    const other = await api.resellerWithDomain('claimant.test');
    await dns.publish(txt('proven-alias.test', `postmaster-verify=${api.app.get(DomainOwnership).token(other.id, 'proven-alias.test')}`));
    const onAlias = await other.client.post('/v1/domains', { name: 'proven-alias.test' });
    expect(onAlias.status).toBe(409);
    expect(onAlias.body).toMatchObject({ code: 'domain_taken', errors: [{ field: 'name', code: 'domain_taken' }] });
    expect(await api.db.domain.count({ where: { name: 'proven-alias.test' } })).toBe(0);

    const onDomain = await other.client.post('/v1/domain-aliases', { aliasDomain: 'owned.test', targetDomainId: other.domainId });
    expect(onDomain.status).toBe(409);
    expect(onDomain.body).toMatchObject({ code: 'domain_taken', errors: [{ field: 'aliasDomain', code: 'domain_taken' }] });
    expect(await api.db.domainAlias.count({ where: { name: 'owned.test' } })).toBe(0);
    expect(await api.db.domainAlias.count({ where: { name: 'proven-alias.test', status: 'active' } })).toBe(1);
  });

  it('lets a domain take a name over from another tenant’s unverified alias, and an alias from an unverified domain', async () => {
    const squatter = await api.resellerWithDomain('squatter.test');
    const { body: squat } = await squatter.client.post('/v1/domain-aliases', { aliasDomain: 'wanted.test', targetDomainId: squatter.domainId });
    const owner = await api.reseller({}, 'Rightful');
    const refused = await owner.client.post('/v1/domains', { name: 'wanted.test' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('domain_pending_elsewhere');
    const token = /postmaster-verify=([\w-]{24})/.exec(refused.body.detail)![1];
    expect(`postmaster-verify=${token}`).not.toBe(squat.verification.value);
    expect(await api.db.domainAlias.count({ where: { id: squat.id } })).toBe(1);

    await dns.publish(txt('wanted.test', `postmaster-verify=${token}`));
    const created = await owner.client.post('/v1/domains', { name: 'wanted.test' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', resellerId: owner.id });
    expect(await api.db.domainAlias.count({ where: { id: squat.id } })).toBe(0);
    expect(await api.db.nameClaim.findUnique({ where: { name: 'wanted.test' } })).toMatchObject({ domainId: created.body.id, domainAliasId: null });
    expect(await api.db.auditEntry.findFirst({ where: { targetId: squat.id, action: 'domain_alias.take_over', resellerId: squatter.id } })).not.toBeNull();

    // The reverse: another tenant's unverified domain, taken over by an alias.
    const domainSquatter = await api.resellerWithDomain('wanted-too.test');
    const claimant = await api.resellerWithDomain('claimant-two.test');
    const pending = await claimant.client.post('/v1/domain-aliases', { aliasDomain: 'wanted-too.test', targetDomainId: claimant.domainId });
    expect(pending.status).toBe(409);
    expect(pending.body.code).toBe('domain_pending_elsewhere');
    const aliasToken = /postmaster-verify=([\w-]{24})/.exec(pending.body.detail)![1];
    await dns.publish(txt('wanted-too.test', `postmaster-verify=${aliasToken}`));
    const alias = await claimant.client.post('/v1/domain-aliases', { aliasDomain: 'wanted-too.test', targetDomainId: claimant.domainId });
    expect(alias.status).toBe(201);
    expect(alias.body).toMatchObject({ status: 'active', targetDomainId: claimant.domainId });
    expect(await api.db.domain.count({ where: { id: domainSquatter.domainId } })).toBe(0);
    expect(await api.db.auditEntry.findFirst({ where: { targetId: domainSquatter.domainId, action: 'domain.take_over' } })).not.toBeNull();
  });

  it('lets the worker verify pending domain aliases whose record appeared and delete those past the expiry', async () => {
    const tenant = await api.resellerWithDomain('alias-target.test');
    const { body: late } = await tenant.client.post('/v1/domain-aliases', { aliasDomain: 'late-alias.test', targetDomainId: tenant.domainId });
    const { body: stale } = await tenant.client.post('/v1/domain-aliases', { aliasDomain: 'stale-alias.test', targetDomainId: tenant.domainId });
    await api.db.domainAlias.update({ where: { id: stale.id }, data: { pendingSince: new Date(Date.now() - (EXPIRY_HOURS + 1) * HOUR_MS) } });
    await dns.publish(txt('late-alias.test', late.verification.value));

    const result = await api.app.get(DomainVerificationService).recheckPending();
    expect(result.aliases).toEqual({ verified: 1, expired: 1 });
    expect(await api.db.domainAlias.findUniqueOrThrow({ where: { id: late.id } })).toMatchObject({ status: 'active', verifiedAt: expect.any(Date) });
    expect(await api.db.domainAlias.findUnique({ where: { id: stale.id } })).toBeNull();
    expect(await api.db.nameClaim.findUnique({ where: { name: 'stale-alias.test' } })).toBeNull();
    expect(await api.db.auditEntry.findFirst({ where: { targetId: late.id, action: 'domain_alias.verify', actorType: 'worker' } })).not.toBeNull();
    expect(await api.db.auditEntry.findFirst({ where: { targetId: stale.id, action: 'domain_alias.expire', actorType: 'worker' } })).not.toBeNull();
    expect((await api.admin.post('/v1/domains', { name: 'stale-alias.test' })).status).toBe(201);
  });

  it.each([
    [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.eeeeeeee.test`, 'too_long'],
    [`${'a'.repeat(64)}.test`, 'invalid_domain'],
    ['bad_label.test', 'invalid_domain'],
    ['-dash.test', 'invalid_domain'],
    ['pаypal.com', 'confusable_name'],
    ['аррӏе.com', 'confusable_name'],
    ['co.uk', 'public_suffix'],
    ['com', 'invalid_domain'],
    ['github.io', 'public_suffix'],
  ])('rejects %s with %s', async (name, code) => {
    const res = await api.admin.post('/v1/domains', { name });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'name', code })]);
  });

  it('accepts names that mix scripts the way browsers allow', async () => {
    for (const name of ['日本語テスト.jp', 'bücher.test', 'ελληνικά.test']) {
      expect({ name, status: (await api.admin.post('/v1/domains', { name })).status }).toEqual({ name, status: 201 });
    }
  });
});
