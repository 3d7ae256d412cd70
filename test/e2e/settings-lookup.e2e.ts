import { type Client, TestApi } from '../support/api.js';

process.env.MAIL_HOSTNAME = 'mail.platform.test';
process.env.PUBLIC_HOSTNAME = 'web.platform.test';

const endpoint = (host: string, implicitTlsPort: number, starttlsPort: number, modes = { implicitTls: true, starttls: true }) => ({
  host, ...modes, implicitTlsPort, starttlsPort,
});
const setting = (protocol: string, host: string, port: number, encryption: string, username: string) => ({
  protocol, host, port, encryption, authentication: 'password-cleartext', username,
});

// The endpoints model, its host-name overrides, and GET /v1/settings (authenticated, per tenant).
describe('settings lookup: endpoints, overrides, /v1/settings', () => {
  let api: TestApi;
  let reseller: { id: string; client: Client };
  let domainId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    reseller = await api.reseller({}, 'Agency');
    domainId = (await reseller.client.post('/v1/domains', { name: 'customer.test' })).body.id;
    await reseller.client.post('/v1/domain-aliases', { aliasDomain: 'customer-alias.test', targetDomainId: domainId });
    await api.admin.post('/v1/domains', { name: 'platform-owned.test' });
  });
  afterAll(() => api?.close());

  it('serves MAIL_HOSTNAME on the standard ports before anything is saved', async () => {
    const res = await api.admin.get('/v1/mail-services/endpoints');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      imap: endpoint('mail.platform.test', 993, 143),
      pop3: endpoint('mail.platform.test', 995, 110),
      smtp: endpoint('mail.platform.test', 465, 587),
      usernameForm: 'address',
      updatedAt: null,
    });
    expect(await api.db.mailEndpoints.count()).toBe(0);
  });

  it('answers the settings of a hosted address, implicit TLS first, from the defaults', async () => {
    const res = await api.admin.get('/v1/settings?email=Alice@Customer.test');
    expect(res.status).toBe(200);
    const host = 'mail.platform.test';
    expect(res.body).toEqual({
      incoming: [
        setting('imap', host, 993, 'ssl', 'Alice@customer.test'),
        setting('imap', host, 143, 'starttls', 'Alice@customer.test'),
        setting('pop3', host, 995, 'ssl', 'Alice@customer.test'),
        setting('pop3', host, 110, 'starttls', 'Alice@customer.test'),
      ],
      outgoing: [setting('smtp', host, 465, 'ssl', 'Alice@customer.test'), setting('smtp', host, 587, 'starttls', 'Alice@customer.test')],
    });
  });

  it('saves the endpoints, audits the change, and every answer follows', async () => {
    const body = {
      imap: { host: 'IMAP.Platform.test', implicitTls: true, starttls: false },
      pop3: { host: 'pop.platform.test', implicitTls: false, starttls: false },
      smtp: { host: 'smtp.platform.test', implicitTls: true, starttls: true, starttlsPort: 2587 },
      usernameForm: 'localPart',
    };
    const res = await api.admin.put('/v1/mail-services/endpoints', body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      imap: endpoint('imap.platform.test', 993, 143, { implicitTls: true, starttls: false }),
      smtp: endpoint('smtp.platform.test', 465, 2587),
      usernameForm: 'localPart',
    });
    expect(await api.db.mailEndpoints.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({
      imapHost: 'imap.platform.test', imapImplicitTls: true, imapStarttls: false, pop3ImplicitTls: false, pop3Starttls: false,
      smtpStarttlsPort: 2587, usernameForm: 'localPart',
    });
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { action: 'mail_endpoints.update' } });
    expect(audit).toMatchObject({ resellerId: null, targetType: 'mail_endpoints', targetId: 'platform' });
    expect(audit.before).toMatchObject({ imap: { host: 'mail.platform.test' } });
    expect(audit.after).toMatchObject({ imap: { host: 'imap.platform.test' } });

    expect((await api.admin.get('/v1/mail-services/endpoints')).body.updatedAt).not.toBeNull();
    const settings = await api.admin.get('/v1/settings?email=bob@customer.test');
    expect(settings.body).toEqual({
      incoming: [setting('imap', 'imap.platform.test', 993, 'ssl', 'bob')],
      outgoing: [setting('smtp', 'smtp.platform.test', 465, 'ssl', 'bob'), setting('smtp', 'smtp.platform.test', 2587, 'starttls', 'bob')],
    });
  });

  it.each([
    ['the same port twice on one host', { smtp: { host: 'mail.platform.test', implicitTls: true, starttls: true, starttlsPort: 465 } }, 'smtp.starttlsPort', 'port_in_use'],
    ['no incoming service', { imap: { host: 'a.test', implicitTls: false, starttls: false }, pop3: { host: 'a.test', implicitTls: false, starttls: false } }, 'imap', 'service_required'],
    ['a host that is not one', { imap: { host: 'bad host.test', implicitTls: true, starttls: true } }, 'imap.host', 'invalid_characters'],
    ['a port out of range', { imap: { host: 'a.test', implicitTls: true, starttls: true, implicitTlsPort: 70000 } }, 'imap.implicitTlsPort', 'too_big'],
    ['an unknown field', { imap: { host: 'a.test', implicitTls: true, starttls: true, plain: true } }, 'imap.plain', 'unknown_field'],
  ])('refuses %s and keeps what was saved', async (_, change, field, code) => {
    const valid = {
      imap: { host: 'mail.platform.test', implicitTls: true, starttls: true },
      pop3: { host: 'mail.platform.test', implicitTls: true, starttls: true },
      smtp: { host: 'mail.platform.test', implicitTls: true, starttls: true },
    };
    const before = await api.db.mailEndpoints.findUniqueOrThrow({ where: { id: 1 } });
    const res = await api.admin.put('/v1/mail-services/endpoints', { ...valid, ...change });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field, code }));
    expect(await api.db.mailEndpoints.findUniqueOrThrow({ where: { id: 1 } })).toEqual(before);
  });

  it('keeps the endpoints from resellers and from read-only keys', async () => {
    const before = await api.db.mailEndpoints.findUniqueOrThrow({ where: { id: 1 } });
    for (const path of ['/v1/mail-services/endpoints', '/v1/mail-services/status']) {
      expect((await reseller.client.get(path)).body.code).toBe('platform_admin_required');
    }
    const put = await reseller.client.put('/v1/mail-services/endpoints', {});
    expect({ status: put.status, code: put.body.code }).toEqual({ status: 403, code: 'platform_admin_required' });
    const readOnly = await api.keyLike(api.admin, { readOnly: true });
    expect((await readOnly.get('/v1/mail-services/endpoints')).status).toBe(200);
    const refused = await readOnly.put('/v1/mail-services/endpoints', {
      imap: { host: 'x.test', implicitTls: true, starttls: true }, pop3: { host: 'x.test', implicitTls: true, starttls: true },
      smtp: { host: 'x.test', implicitTls: true, starttls: true },
    });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'read_only_key' });
    expect(await api.db.mailEndpoints.findUniqueOrThrow({ where: { id: 1 } })).toEqual(before);
  });

  it('applies host names of the reseller, then of the domain, protocol by protocol', async () => {
    const patched = await api.admin.patch(`/v1/resellers/${reseller.id}`, { mailHostnames: { imap: 'imap.agency.test', smtp: 'smtp.agency.test' } });
    expect(patched.status).toBe(200);
    expect(patched.body.mailHostnames).toEqual({ imap: 'imap.agency.test', pop3: null, smtp: 'smtp.agency.test' });
    expect(await api.db.reseller.findUniqueOrThrow({ where: { id: reseller.id } })).toMatchObject({
      imapHostname: 'imap.agency.test', pop3Hostname: null, smtpHostname: 'smtp.agency.test',
    });

    const domain = await reseller.client.patch(`/v1/domains/${domainId}`, { mailHostnames: { smtp: 'Mail.Customer.test' } });
    expect(domain.status).toBe(200);
    expect(domain.body.mailHostnames).toEqual({ imap: null, pop3: null, smtp: 'mail.customer.test' });
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).smtpHostname).toBe('mail.customer.test');
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: domainId, action: 'domain.update' } });
    expect(audit.after).toMatchObject({ mailHostnames: { smtp: 'mail.customer.test' } });
    expect(audit.after).not.toHaveProperty('discoveryRecords');

    const settings = await reseller.client.get('/v1/settings?email=carol@customer.test');
    expect(settings.status).toBe(200);
    expect(settings.body.incoming.map((s: { host: string }) => s.host)).toEqual(['imap.agency.test']);
    expect(settings.body.outgoing.map((s: { host: string }) => s.host)).toEqual(['mail.customer.test', 'mail.customer.test']);

    // Clearing one name falls back to the reseller's.
    await reseller.client.patch(`/v1/domains/${domainId}`, { mailHostnames: { smtp: null } });
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).smtpHostname).toBeNull();
    const after = await reseller.client.get('/v1/settings?email=carol@customer.test');
    expect(after.body.outgoing[0].host).toBe('smtp.agency.test');
  });

  it('refuses an override that is not a host name, and writes nothing', async () => {
    const res = await reseller.client.patch(`/v1/domains/${domainId}`, { mailHostnames: { imap: 'mail.customer.test\r\nX: 1' } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'mailHostnames.imap', code: 'invalid_characters' })]);
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).imapHostname).toBeNull();
  });

  it('answers an address at a domain alias with the login of the target domain', async () => {
    const res = await reseller.client.get('/v1/settings?email=carol@customer-alias.test');
    expect(res.status).toBe(200);
    expect(res.body.incoming[0]).toMatchObject({ host: 'imap.agency.test', username: 'carol' });
  });

  it("answers 404 for another tenant's domain exactly as for a domain not hosted here", async () => {
    const theirs = await reseller.client.get('/v1/settings?email=x@platform-owned.test');
    const nowhere = await reseller.client.get('/v1/settings?email=x@nowhere.test');
    expect(theirs.status).toBe(404);
    expect(theirs.body.code).toBe('domain_not_hosted');
    expect({ ...theirs.body, detail: '' }).toEqual({ ...nowhere.body, detail: '' });
    expect(theirs.body.detail.replace('platform-owned.test', 'X')).toBe(nowhere.body.detail.replace('nowhere.test', 'X'));
    expect((await api.admin.get('/v1/settings?email=x@platform-owned.test')).status).toBe(200);
  });

  it.each([
    ['a CR/LF injection', 'a@customer.test%0d%0aBcc:%20x@evil.test'],
    ['a NUL', 'a%00@customer.test'],
    ['two @', 'a@b@customer.test'],
    ['an address of 2000 characters', `${'a'.repeat(1990)}@customer.test`],
    ['an empty value', ''],
  ])('refuses %s on the email field (invalid_address; a NUL is invalid_characters everywhere), never a 500', async (_, email) => {
    const res = await api.admin.get(`/v1/settings?email=${email}`);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'email', code: expect.stringMatching(/^(invalid_address|too_big|invalid_characters)$/) })]);
  });

  it('refuses a missing address and unknown parameters', async () => {
    expect((await api.admin.get('/v1/settings')).body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    expect((await api.admin.get('/v1/settings?email=a@customer.test&x=1')).body.errors).toEqual([
      expect.objectContaining({ field: 'x', code: 'unknown_field' }),
    ]);
    expect((await api.client().get('/v1/settings?email=a@customer.test')).status).toBe(401);
  });

  it('shows every domain the discovery records to publish, following its host names', async () => {
    await api.admin.put('/v1/mail-services/endpoints', {
      imap: { host: 'mail.platform.test', implicitTls: true, starttls: true },
      pop3: { host: 'mail.platform.test', implicitTls: false, starttls: false },
      smtp: { host: 'mail.platform.test', implicitTls: true, starttls: true },
    });
    const res = await reseller.client.get(`/v1/domains/${domainId}`);
    expect(res.status).toBe(200);
    const records = res.body.discoveryRecords as { type: string; name: string; value: string }[];
    expect(records.filter((r) => r.type !== 'TXT')).toEqual([
      { type: 'SRV', name: '_imaps._tcp.customer.test', value: '0 1 993 imap.agency.test.' },
      { type: 'SRV', name: '_imap._tcp.customer.test', value: '10 1 143 imap.agency.test.' },
      { type: 'SRV', name: '_pop3s._tcp.customer.test', value: '0 0 0 .' },
      { type: 'SRV', name: '_pop3._tcp.customer.test', value: '0 0 0 .' },
      { type: 'SRV', name: '_submissions._tcp.customer.test', value: '0 1 465 smtp.agency.test.' },
      { type: 'SRV', name: '_submission._tcp.customer.test', value: '10 1 587 smtp.agency.test.' },
      { type: 'CNAME', name: 'autoconfig.customer.test', value: 'web.platform.test.' },
      { type: 'CNAME', name: 'autodiscover.customer.test', value: 'web.platform.test.' },
      { type: 'CNAME', name: 'ua-auto-config.customer.test', value: 'web.platform.test.' },
    ]);
    expect(records.at(-1)).toMatchObject({ type: 'TXT', name: '_ua-auto-config.customer.test', value: expect.stringMatching(/^v=UAAC1; a=sha256; d=/) });
    const list = await api.admin.get('/v1/domains');
    const listed = list.body.items.find((d: { id: string }) => d.id === domainId);
    expect(listed.discoveryRecords).toEqual(records);
    const platformDomain = list.body.items.find((d: { name: string }) => d.name === 'platform-owned.test');
    expect(platformDomain.discoveryRecords[0]).toEqual({ type: 'SRV', name: '_imaps._tcp.platform-owned.test', value: '0 1 993 mail.platform.test.' });
  });
});
