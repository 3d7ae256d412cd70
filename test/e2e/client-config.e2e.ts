import { XMLParser } from 'fast-xml-parser';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { AUTOCONFIG_RNG, xmllint } from '../../src/settings-lookup/xmllint.testing.js';
import { TestApi } from '../support/api.js';

process.env.MAIL_HOSTNAME = 'mail.platform.test';
process.env.PUBLIC_HOSTNAME = 'web.platform.test';

const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
const autodiscoverRequest = (address: string, prolog = '<?xml version="1.0" encoding="utf-8"?>') => `${prolog}
<Autodiscover xmlns="${REQUEST_NS}">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>${OUTLOOK_SCHEMA}</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;

const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ['incomingServer', 'outgoingServer', 'Protocol'].includes(name) });

// The documents mail clients fetch by themselves: public, each checked against its format.
describe('client configuration formats (public)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start();
    const reseller = await api.reseller({}, 'Agency');
    const domain = await reseller.client.post('/v1/domains', { name: 'hosted.test' });
    await reseller.client.patch(`/v1/domains/${domain.body.id}`, { mailHostnames: { imap: 'imap.hosted.test' } });
    // Only proven (active) domains are served; the platform activates this one directly.
    expect((await api.admin.patch(`/v1/domains/${domain.body.id}`, { status: 'active' })).status).toBe(200);
    // A pending domain and a pending alias of the active one, both claiming host names of their own.
    const pending = await reseller.client.post('/v1/domains', { name: 'pending.test' });
    const patched = await reseller.client.patch(`/v1/domains/${pending.body.id}`, {
      mailHostnames: { imap: 'imap.pending.test' }, mtaSts: { mode: 'enforce', maxAgeSeconds: 86_400 },
    });
    expect(patched.body).toMatchObject({ status: 'pending_verification', mailHostnames: { imap: 'imap.pending.test' } });
    const alias = await reseller.client.post('/v1/domain-aliases', { aliasDomain: 'pending-alias.test', targetDomainId: domain.body.id });
    expect(alias.body.status).toBe('pending_verification');
    const proven = await reseller.client.post('/v1/domain-aliases', { aliasDomain: 'proven-alias.test', targetDomainId: domain.body.id });
    expect((await api.admin.patch(`/v1/domain-aliases/${proven.body.id}`, { status: 'active' })).body.status).toBe('active');
    await api.admin.put('/v1/mail-services/endpoints', {
      imap: { host: 'mail.platform.test', implicitTls: true, starttls: false },
      pop3: { host: 'mail.platform.test', implicitTls: false, starttls: true },
      smtp: { host: 'mail.platform.test', implicitTls: false, starttls: true },
    });
  });
  afterAll(() => api?.close());

  // Node's fetch will not send another Host header; clients reach this host under the user's domain.
  const inject = (url: string, host = 'web.platform.test', init: { method?: 'GET' | 'POST'; body?: string | Buffer; type?: string } = {}) =>
    new Promise<{ statusCode: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const headers = { host, ...(init.type && { 'content-type': init.type }) };
      const req = httpRequest(`${api.baseUrl}${url}`, { method: init.method ?? 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(init.body);
    });

  describe('Thunderbird autoconfig', () => {
    it('answers an address with its settings, valid against the autoconfig grammar', async () => {
      const res = await api.client().get('/mail/config-v1.1.xml?emailaddress=Alice%40Hosted.test');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(xmllint(res.body, ['--relaxng', AUTOCONFIG_RNG])).toEqual({ status: 0, stderr: expect.stringContaining('validates') });
      const provider = xml.parse(res.body).clientConfig.emailProvider;
      expect(provider['@_id']).toBe('hosted.test');
      const servers = (key: string) => provider[key].map((s: Record<string, string>) => [s['@_type'], s.hostname, s.port, s.socketType, s.username]);
      expect(servers('incomingServer')).toEqual([
        ['imap', 'imap.hosted.test', '993', 'SSL', 'Alice@hosted.test'],
        ['pop3', 'mail.platform.test', '110', 'STARTTLS', 'Alice@hosted.test'],
      ]);
      expect(servers('outgoingServer')).toEqual([['smtp', 'mail.platform.test', '587', 'STARTTLS', 'Alice@hosted.test']]);
    });

    it('answers the well-known path without an address with placeholders, for the domain in the Host header', async () => {
      for (const [url, host] of [['/.well-known/autoconfig/mail/config-v1.1.xml', 'hosted.test'], ['/mail/config-v1.1.xml?emailaddress=', 'autoconfig.hosted.test']]) {
        const res = await inject(url, host);
        expect(res.statusCode).toBe(200);
        expect(xmllint(res.body, ['--relaxng', AUTOCONFIG_RNG]).status).toBe(0);
        const provider = xml.parse(res.body).clientConfig.emailProvider;
        expect(provider.domain).toBe('hosted.test');
        expect(provider.incomingServer[0]).toMatchObject({ hostname: 'imap.hosted.test', username: '%EMAILADDRESS%' });
      }
    });

    it('answers an unhosted domain in the same shape, so it cannot be used to probe which domains are hosted', async () => {
      const hosted = (await api.client().get('/mail/config-v1.1.xml?emailaddress=bob%40hosted.test')).body as string;
      const unhosted = await api.client().get('/mail/config-v1.1.xml?emailaddress=bob%40elsewhere.test');
      expect(unhosted.status).toBe(200);
      expect(xmllint(unhosted.body, ['--relaxng', AUTOCONFIG_RNG]).status).toBe(0);
      // Only the domain's own name and the host name it overrides differ.
      const same = (doc: string) => doc.replaceAll('hosted.test', 'D').replaceAll('elsewhere.test', 'D').replace('imap.D', 'mail.platform.test');
      expect(same(unhosted.body)).toBe(same(hosted));
    });

    it('refuses a malformed address with a 4xx, never a 500', async () => {
      for (const query of ['emailaddress=a%0d%0a@hosted.test', 'emailaddress=%00', `emailaddress=${'a'.repeat(5000)}`, 'emailaddress=a&emailaddress=b']) {
        const res = await api.client().get(`/mail/config-v1.1.xml?${query}`);
        expect({ query, status: res.status }).toEqual({ query, status: 422 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });
  });

  describe('Outlook Autodiscover (POX)', () => {
    const post = (path: string, body: string | Buffer, type = 'text/xml') =>
      inject(path, 'autodiscover.hosted.test', { method: 'POST', body, type });

    it.each(['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml', '/AutoDiscover/AUTODISCOVER.XML'])(
      'answers %s with one block per protocol, SSL on, SPA off, Encryption as advertised',
      async (path) => {
        const res = await post(path, autodiscoverRequest('carol@hosted.test'));
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
        expect(xmllint(res.body).status).toBe(0);
        const response = xml.parse(res.body).Autodiscover.Response;
        expect(response['@_xmlns']).toBe(OUTLOOK_SCHEMA);
        expect(response.Account.Protocol.map((p: Record<string, string>) => [p.Type, p.Server, p.Port, p.SSL, p.SPA, p.Encryption, p.LoginName])).toEqual([
          ['IMAP', 'imap.hosted.test', '993', 'on', 'off', 'SSL', 'carol@hosted.test'],
          ['POP3', 'mail.platform.test', '110', 'on', 'off', 'TLS', 'carol@hosted.test'],
          ['SMTP', 'mail.platform.test', '587', 'on', 'off', 'TLS', 'carol@hosted.test'],
        ]);
      },
    );

    it('accepts application/xml too', async () => {
      const res = await post('/autodiscover/autodiscover.xml', autodiscoverRequest('carol@hosted.test'), 'application/xml; charset=utf-8');
      expect(xml.parse(res.body).Autodiscover.Response.Account.Protocol).toHaveLength(3);
    });

    const lol = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    it.each([
      ['an external entity (XXE)', autodiscoverRequest('&xxe;', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')],
      ['billion laughs', autodiscoverRequest('&lol9;@hosted.test', `<!DOCTYPE Autodiscover [${lol.join('')}]>`)],
      ['malformed XML', autodiscoverRequest('carol@hosted.test').replace('</Request>', '')],
      ['an address that is not one', autodiscoverRequest('carol@hosted.test&#13;&#10;Bcc: x@evil.test')],
      ['a body over 16 KiB', autodiscoverRequest('carol@hosted.test') + ' '.repeat(17 * 1024)],
      ['bytes that are not UTF-8', Buffer.from([0x3c, 0x61, 0xff, 0x3e])],
    ])('answers %s with the Autodiscover error 600, expanding nothing', async (_, body) => {
      const res = await post('/autodiscover/autodiscover.xml', body);
      expect(res.statusCode).toBe(200);
      expect(xmllint(res.body).status).toBe(0);
      expect(xml.parse(res.body).Autodiscover.Response.Error).toMatchObject({ ErrorCode: '600', Message: 'Invalid Request' });
      expect(res.body).not.toContain('root:');
      expect(res.body).not.toContain('lollol');
    });

    it('answers a JSON or empty body with 600 too, and an over-limit body with 413', async () => {
      for (const [body, type] of [['{"EMailAddress":"carol@hosted.test"}', 'application/json'], ['', 'text/xml']]) {
        const res = await post('/autodiscover/autodiscover.xml', body, type);
        expect(res.statusCode).toBe(200);
        expect(xml.parse(res.body).Autodiscover.Response.Error.ErrorCode).toBe('600');
      }
      const huge = await post('/autodiscover/autodiscover.xml', Buffer.alloc(1024 * 1024 + 1, 0x20));
      expect(huge.statusCode).toBe(413);
      expect(JSON.parse(huge.body).code).toBe('payload_too_large');
    });

    it('still refuses XML bodies on every other route', async () => {
      const res = await api.admin.post('/v1/domains', '<name>x.test</name>', { 'content-type': 'application/xml' });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('unsupported_media_type');
    });
  });

  describe('Autodiscover v2', () => {
    const redirect = { Protocol: 'AutodiscoverV1', Url: 'https://web.platform.test/autodiscover/autodiscover.xml' };

    it.each([
      '/autodiscover/autodiscover.json?Email=carol%40hosted.test&Protocol=AutodiscoverV1',
      '/Autodiscover/Autodiscover.json?Email=carol%40elsewhere.test&Protocol=autodiscoverv1',
      '/autodiscover/autodiscover.json/v1.0/carol@hosted.test?Protocol=AutodiscoverV1',
      '/AutoDiscover/AutoDiscover.json/V1.0/carol%40hosted.test?Protocol=AUTODISCOVERV1',
    ])('redirects %s to the POX endpoint', async (url) => {
      const res = await api.client().get(url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual(redirect);
    });

    it('answers another protocol with the documented 400 body', async () => {
      const res = await api.client().get('/autodiscover/autodiscover.json/v1.0/carol@hosted.test?Protocol=ActiveSync');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        ErrorCode: 'InvalidProtocol',
        ErrorMessage: "The given protocol value 'ActiveSync' is invalid. Supported values are 'AutodiscoverV1'",
      });
    });

    it('refuses a malformed address with a 4xx', async () => {
      expect((await api.client().get('/autodiscover/autodiscover.json/v1.0/not-an-address?Protocol=AutodiscoverV1')).status).toBe(422);
      expect((await api.client().get('/autodiscover/autodiscover.json?Email=a%0a@b.test&Protocol=AutodiscoverV1')).status).toBe(422);
    });
  });

  describe('Apple configuration profile', () => {
    it('is a well-formed plist with an IMAP payload and identifiers stable across downloads', async () => {
      const first = await api.client().get('/mobileconfig?email=dave%40hosted.test');
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe('application/x-apple-aspen-config');
      expect(first.headers['content-disposition']).toBe('attachment; filename="hosted.test.mobileconfig"');
      expect(xmllint(first.body).status).toBe(0);
      expect(first.body).toContain('<string>com.apple.mail.managed</string>');
      expect(first.body).toContain('<string>EmailTypeIMAP</string>');
      expect(first.body).toContain('<string>imap.hosted.test</string>');
      const again = await api.client().get('/mobileconfig?email=DAVE%40hosted.test');
      const uuids = (body: string) => body.match(/[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}/g);
      expect(uuids(again.body)).toEqual(uuids(first.body));
      expect(new Set(uuids(first.body)).size).toBe(2);
    });

    it('refuses a missing or malformed address', async () => {
      for (const query of ['', '?email=', '?email=%3Cscript%3E@hosted.test']) {
        expect((await api.client().get(`/mobileconfig${query}`)).status).toBe(422);
      }
    });
  });

  describe('PACC', () => {
    it('serves the document whose digest the domain publishes', async () => {
      const res = await inject('/.well-known/user-agent-configuration.json', 'ua-auto-config.hosted.test');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.body)).toEqual({
        protocols: { imap: { host: 'imap.hosted.test' } },
        authentication: { password: true },
        info: { provider: { name: 'hosted.test' } },
      });
      const domain = (await api.admin.get('/v1/domains?q=hosted')).body.items[0];
      const txt = domain.discoveryRecords.find((r: { type: string }) => r.type === 'TXT');
      const { createHash } = await import('node:crypto');
      expect(txt.value).toBe(`v=UAAC1; a=sha256; d=${createHash('sha256').update(res.body).digest('base64')}`);
    });
  });

  describe('unproven names', () => {
    // What each public document says about a domain, reduced to the host names it serves.
    const documents: Record<string, (domain: string) => Promise<string>> = {
      autoconfig: async (d) => (await api.client().get(`/mail/config-v1.1.xml?emailaddress=x%40${d}`)).body,
      'autoconfig (well-known)': async (d) => (await inject('/.well-known/autoconfig/mail/config-v1.1.xml', d)).body,
      'autoconfig (Host)': async (d) => (await inject('/mail/config-v1.1.xml', `autoconfig.${d}`)).body,
      autodiscover: async (d) => (await inject('/autodiscover/autodiscover.xml', `autodiscover.${d}`, {
        method: 'POST', body: autodiscoverRequest(`x@${d}`), type: 'text/xml',
      })).body,
      mobileconfig: async (d) => (await api.client().get(`/mobileconfig?email=x%40${d}`)).body,
      pacc: async (d) => (await inject('/.well-known/user-agent-configuration.json', `ua-auto-config.${d}`)).body,
      lookup: async (d) => JSON.stringify((await api.client().get(`/lookup/settings?email=x%40${d}`)).body),
    };
    const hosts = (document: string) => [...new Set(document.match(/\b(?:imap|mail)\.[a-z.-]+\.test\b/g))].sort();

    it.each(Object.keys(documents))('%s serves a pending domain or domain alias as an unknown one, an active alias as its target', async (name) => {
      const get = documents[name];
      const unknown = hosts(await get('unknown.test'));
      expect(unknown).toContain('mail.platform.test');
      expect(hosts(await get('pending.test'))).toEqual(unknown);
      expect(hosts(await get('pending-alias.test'))).toEqual(unknown);
      const target = hosts(await get('hosted.test'));
      expect(target).toContain('imap.hosted.test');
      expect(hosts(await get('proven-alias.test'))).toEqual(target);
    });

    it('serves no MTA-STS policy for a pending domain', async () => {
      const res = await inject('/.well-known/mta-sts.txt', 'mta-sts.pending.test');
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('mode: enforce');
    });
  });

  it('answers control characters in any query string with a 4xx, never a 500', async () => {
    for (const url of [
      '/mail/config-v1.1.xml?emailaddress=%1b%5b31m@hosted.test',
      '/mobileconfig?email=a%09b@hosted.test',
      '/autodiscover/autodiscover.json?Email=%7f@hosted.test&Protocol=AutodiscoverV1',
      '/lookup/settings?email=%e2%80%8b@hosted.test',
      '/mobileconfig?email=%ff%fe',
    ]) {
      const res = await api.client().get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 422 });
    }
  });
});
