import { type IncomingMessage, type ServerResponse, request } from 'node:http';
import { type Server, createServer } from 'node:https';
import { type Client, TestApi } from '../support/api.js';
import { TestDnsServer } from '../support/dns-server.js';
import { TestCa } from '../support/test-certificates.js';

const DOMAIN = 'sts.test';
const POLICY_HOST = `mta-sts.${DOMAIN}`;
const WEB_HOST = 'web.platform.test';
const POLICY_URL = `https://${POLICY_HOST}/.well-known/mta-sts.txt`;
const CERT_DAYS = 30;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

// The DNS check fetches the MTA-STS policy as a sending MTA does: HTTPS to the address DNS gives
// for mta-sts.<domain>, certificate checked for that name, then compared with Postmaster's policy.
describe('MTA-STS policy check', () => {
  let dns: TestDnsServer;
  let api: TestApi;
  let client: Client;
  let domainId: string;
  let policyId: string;
  let ca: TestCa;
  let https: Server;
  let handler: Handler;

  // What a TLS terminator in front of Postmaster does: pass the request on, Host header kept.
  const forward: Handler = (req, res) => {
    request(`${api.baseUrl}${req.url}`, { headers: { host: req.headers.host } }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    }).on('error', () => res.destroy()).end();
  };
  const serve = (status: number, headers: Record<string, string>, body = ''): Handler => (_req, res) => res.writeHead(status, headers).end(body);
  const policyRecord = async () => {
    const res = await client.post(`/v1/domains/${domainId}/dns-check`);
    expect(res.status).toBe(200);
    return res.body.records.filter((r: any) => r.check === 'mta-sts');
  };
  const stored = async () => ((await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).dnsCheck as any).records.find((r: any) => r.type === 'MTA-STS');

  beforeAll(async () => {
    ca = TestCa.create();
    https = createServer(ca.issue([POLICY_HOST], CERT_DAYS), (req, res) => handler(req, res));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as { port: number }).port;
    dns = await TestDnsServer.start();
    api = await TestApi.start({
      DNS_SERVERS: dns.address, MAIL_HOSTNAME: 'mail.platform.test', PUBLIC_HOSTNAME: WEB_HOST, MAIL_MX_HOSTS: 'mx1.platform.test,mx2.platform.test',
      MAIL_OUTBOUND_IPS: '192.0.2.10', DNS_TIMEOUT_MS: '300', MTA_STS_FETCH_PORT: String(port), MTA_STS_FETCH_CA_FILE: ca.caFile,
    });
    ({ client, domainId } = await api.resellerWithDomain(DOMAIN));
    await api.admin.patch(`/v1/domains/${domainId}`, { status: 'active' });
    policyId = (await client.patch(`/v1/domains/${domainId}`, { mtaSts: { mode: 'enforce', maxAgeSeconds: 86400 } })).body.mtaSts.policyId;
    await dns.publish(
      { name: `_mta-sts.${DOMAIN}`, type: 'TXT', value: `v=STSv1; id=${policyId}` },
      { name: POLICY_HOST, type: 'CNAME', value: `${WEB_HOST}.` },
      { name: WEB_HOST, type: 'A', value: '127.0.0.1' },
    );
  });

  beforeEach(() => {
    handler = forward;
  });

  afterAll(async () => {
    await api?.close();
    await dns?.stop();
    await new Promise((resolve) => https?.close(resolve));
  });

  const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx1.platform.test\r\nmx: mx2.platform.test\r\nmax_age: 86400\r\n';

  it('is ok when the HTTPS host serves exactly the policy Postmaster serves, and stores the result', async () => {
    const records = await policyRecord();
    expect(records.map((r: any) => [r.type, r.status])).toEqual([['TXT', 'ok'], ['CNAME', 'ok'], ['MTA-STS', 'ok']]);
    expect(records[2]).toEqual({ check: 'mta-sts', type: 'MTA-STS', name: POLICY_URL, expected: POLICY, found: [POLICY], status: 'ok', hint: null });
    expect(await stored()).toMatchObject({ name: POLICY_URL, status: 'ok' });
  });

  it('reports a policy served with a stale mode, the worse when _mta-sts already announces the current id', async () => {
    handler = serve(200, { 'content-type': 'text/plain' }, POLICY.replace('enforce', 'testing'));
    const [, , policy] = await policyRecord();
    expect(policy).toMatchObject({ status: 'wrong', found: [POLICY.replace('enforce', 'testing')] });
    expect(policy.hint).toBe('The policy served is not this domain\'s current policy: mode testing instead of enforce. Something in front of Postmaster serves a stale copy.'
      + ' The _mta-sts record already announces the current id: senders that fetch this policy keep it until the id changes again (up to max_age 86400 s).');
    expect(await stored()).toMatchObject({ status: 'wrong', hint: policy.hint });

    handler = serve(200, { 'content-type': 'text/plain' }, 'version: STSv1\nmode: enforce\nmx: mx1.platform.test\nmax_age: 86400\n');
    expect((await policyRecord())[2].hint).toContain('mx mx1.platform.test instead of mx1.platform.test, mx2.platform.test');
    handler = serve(200, { 'content-type': 'text/plain' }, '<html>policy</html>');
    expect((await policyRecord())[2]).toMatchObject({ status: 'wrong', hint: 'The file served is not a valid policy (RFC 8461 §3.2): no "version: STSv1" line.' });
  });

  it('reports the _mta-sts id when the policy changed and only the file follows', async () => {
    const changed = (await client.patch(`/v1/domains/${domainId}`, { mtaSts: { mode: 'testing', maxAgeSeconds: 86400 } })).body.mtaSts.policyId;
    const [txt, , policy] = await policyRecord();
    expect(txt).toMatchObject({ status: 'wrong', expected: `v=STSv1; id=${changed}`, found: [`v=STSv1; id=${policyId}`], hint: expect.stringContaining('stale policy') });
    expect(policy).toMatchObject({ status: 'ok', found: [POLICY.replace('enforce', 'testing')] });
    await client.patch(`/v1/domains/${domainId}`, { mtaSts: { mode: 'enforce', maxAgeSeconds: 86400 } });
    policyId = (await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).mtaStsPolicyId!;
    await dns.unpublish(`_mta-sts.${DOMAIN}`, 'TXT');
    await dns.publish({ name: `_mta-sts.${DOMAIN}`, type: 'TXT', value: `v=STSv1; id=${policyId}` });
    expect((await policyRecord()).map((r: any) => r.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('reports a wrong content type, a redirect and a 404', async () => {
    handler = serve(200, { 'content-type': 'text/html; charset=utf-8' }, POLICY);
    expect((await policyRecord())[2]).toMatchObject({
      status: 'wrong', found: ['Content-Type: text/html; charset=utf-8'],
      hint: 'The policy is served as text/html; charset=utf-8, not text/plain: senders discard it (RFC 8461 §3.3).',
    });
    handler = serve(301, { location: `https://${WEB_HOST}/.well-known/mta-sts.txt` });
    expect((await policyRecord())[2]).toMatchObject({ status: 'wrong', hint: expect.stringContaining('senders do not follow redirects') });
    handler = serve(404, { 'content-type': 'text/plain' });
    expect((await policyRecord())[2]).toMatchObject({ status: 'missing', found: ['HTTP 404'] });
  });

  it('reports a certificate that is not for mta-sts.<domain>, or not trusted', async () => {
    https.setSecureContext(ca.issue([WEB_HOST], CERT_DAYS));
    try {
      const [, host, policy] = await policyRecord();
      expect(host.status).toBe('ok');
      expect(policy).toMatchObject({
        status: 'wrong', found: ['certificate: ERR_TLS_CERT_ALTNAME_INVALID'],
        hint: `The TLS certificate served for ${POLICY_HOST} is for ${WEB_HOST}, not ${POLICY_HOST}: senders refuse the policy (RFC 8461 §3.3). Add ${POLICY_HOST} to the certificate of ${WEB_HOST}.`,
      });
      expect(await stored()).toMatchObject({ status: 'wrong', found: ['certificate: ERR_TLS_CERT_ALTNAME_INVALID'] });

      https.setSecureContext(TestCa.create().issue([POLICY_HOST], CERT_DAYS));
      expect((await policyRecord())[2]).toMatchObject({ status: 'wrong', hint: expect.stringContaining(`The TLS certificate served for ${POLICY_HOST} fails verification (`) });
    } finally {
      https.setSecureContext(ca.issue([POLICY_HOST], CERT_DAYS));
    }
  });

  it('reports the policy missing when its host cannot be reached or has no address', async () => {
    // 127.0.0.2 is loopback too, but nothing listens there on the port: refused at once.
    await dns.unpublish(WEB_HOST, 'A');
    await dns.publish({ name: WEB_HOST, type: 'A', value: '127.0.0.2' });
    const [, , refused] = await policyRecord();
    expect(refused).toMatchObject({ status: 'missing', found: [], hint: expect.stringMatching(/^Senders cannot fetch the policy \(connection refused by mta-sts\.sts\.test\)\./) });
    expect(await stored()).toMatchObject({ status: 'missing', hint: refused.hint });

    await dns.unpublish(WEB_HOST, 'A');
    const [, host, none] = await policyRecord();
    expect(host.status).toBe('ok');
    expect(none).toMatchObject({ status: 'missing', hint: `${POLICY_HOST} has no address, so senders cannot fetch the policy. Publish CNAME ${POLICY_HOST} → ${WEB_HOST}.` });
    await dns.publish({ name: WEB_HOST, type: 'A', value: '127.0.0.1' });
  });
});
