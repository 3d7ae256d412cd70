import { request } from 'node:http';
import { DnsCheckService } from '../../src/domain-dns/dns-check.service.js';
import { type Client, TestApi } from '../support/api.js';
import { type DnsTestRecord, TestDnsServer } from '../support/dns-server.js';
import { freePort } from '../support/processes.js';

const SENDER_IP = '192.0.2.10';

/** GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(baseUrl: string, path: string, host: string): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject).end();
  });
}

// Each record of the DNS check against a real DNS server: ok, missing and wrong, with hints.
describe('DNS check', () => {
  let dns: TestDnsServer;
  let api: TestApi;
  let client: Client;
  let domainId: string;
  let resellerId: string;
  let good: DnsTestRecord[];

  /** refresh: POST (ask DNS now and store); else GET (the stored check while fresh). */
  const check = async (refresh = true) => {
    const url = `/v1/domains/${domainId}/dns-check`;
    const res = refresh ? await client.post(url) : await client.get(url);
    expect(res.status).toBe(200);
    return res.body;
  };
  const record = async (check_: string, type = 'TXT') => (await check()).records.find((r: any) => r.check === check_ && r.type === type);
  const replace = async (name: string, type: string, ...values: string[]) => {
    await dns.unpublish(name, type);
    if (values.length) await dns.publish(...values.map((value) => ({ name, type, value })));
  };

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    api = await TestApi.start({
      DNS_SERVERS: dns.address, MAIL_HOSTNAME: 'mail.platform.test', MAIL_MX_HOSTS: 'mx1.platform.test,mx2.platform.test',
      MAIL_OUTBOUND_IPS: SENDER_IP, DNS_CHECK_CACHE_SECONDS: '300', DNS_TIMEOUT_MS: '300',
      // Nothing listens there: the policy fetch fails at once (test/e2e/mta-sts-check.e2e.ts serves it).
      MTA_STS_FETCH_PORT: String(await freePort()),
    });
    ({ client, domainId, id: resellerId } = await api.resellerWithDomain('checked.test'));
    await api.admin.patch(`/v1/domains/${domainId}`, { status: 'active' });
    const view = (await client.get(`/v1/domains/${domainId}`)).body;
    good = [
      { name: 'checked.test', type: 'MX', value: '10 mx1.platform.test.' },
      { name: 'checked.test', type: 'MX', value: '20 mx2.platform.test.' },
      { name: 'checked.test', type: 'TXT', value: 'v=spf1 include:_spf.platform.test ~all' },
      { name: '_spf.platform.test', type: 'TXT', value: 'v=spf1 ip4:192.0.2.0/24 -all' },
      { name: 'mail.platform.test', type: 'A', value: '127.0.0.1' },
      { name: '_dmarc.checked.test', type: 'TXT', value: 'v=DMARC1; p=reject; rua=mailto:dmarc@checked.test; pct=100' },
      { name: '_smtp._tls.checked.test', type: 'TXT', value: 'v=TLSRPTv1; rua=mailto:tls@checked.test' },
      ...view.dkim.map((k: any) => ({ name: k.name, type: 'TXT', value: k.value })),
      ...view.discoveryRecords.map((r: any) => ({ name: r.name, type: r.type, value: r.value })),
    ];
    await dns.publish(...good);
  });

  afterAll(async () => {
    await api?.close();
    await dns?.stop();
  });

  it('reports every record ok when the zone is right, and serves the result from the cache', async () => {
    const result = await check();
    expect(result.records.filter((r: any) => r.status !== 'ok')).toEqual([]);
    expect(result).toMatchObject({ domainId, status: 'ok', cached: false });
    expect(result.records.map((r: any) => r.check)).toEqual(expect.arrayContaining(['mx', 'spf', 'dkim', 'dmarc', 'tls-rpt', 'discovery']));
    expect(result.records.find((r: any) => r.check === 'dmarc')).toMatchObject({ policy: 'reject', hint: null });
    expect(result.records.filter((r: any) => r.type === 'SRV').length).toBe(6);
    const row = await api.db.domain.findUniqueOrThrow({ where: { id: domainId } });
    expect(row.dnsCheckedAt?.toISOString()).toBe(result.checkedAt);

    await replace('checked.test', 'MX');
    const cached = await check(false);
    expect(cached).toMatchObject({ cached: true, checkedAt: result.checkedAt, status: 'ok' });
    await dns.publish(...good.filter((r) => r.type === 'MX'));
  });

  it('reports MX missing and wrong', async () => {
    await replace('checked.test', 'MX');
    expect(await record('mx', 'MX')).toMatchObject({ status: 'missing', hint: expect.stringContaining('mx1.platform.test') });
    await replace('checked.test', 'MX', '10 mx1.platform.test.', '20 backup.elsewhere.test.');
    expect(await record('mx', 'MX')).toMatchObject({ status: 'wrong', found: ['10 mx1.platform.test.', '20 backup.elsewhere.test.'], hint: expect.stringContaining('backup.elsewhere.test') });
    await replace('checked.test', 'MX', '10 mx1.platform.test.', '20 mx2.platform.test.');
    expect(await record('mx', 'MX')).toMatchObject({ status: 'ok' });
  });

  it('reports SPF missing, doubled, over the lookup limit and not authorizing the platform', async () => {
    await replace('checked.test', 'TXT');
    expect(await record('spf')).toMatchObject({ status: 'missing', expected: 'v=spf1 a:mail.platform.test ~all' });
    await replace('checked.test', 'TXT', 'v=spf1 include:_spf.platform.test ~all', 'v=spf1 mx -all');
    expect(await record('spf')).toMatchObject({ status: 'wrong', hint: expect.stringContaining('2 SPF records') });
    const hosts = (n: number) => Array.from({ length: 4 }, (_, i) => `h${n}${i}.spf.test`);
    await dns.publish(...[1, 2, 3].flatMap((n) => [
      { name: `i${n}.spf.test`, type: 'TXT', value: `v=spf1 ${hosts(n).map((h) => `a:${h}`).join(' ')} -all` },
      ...hosts(n).map((name) => ({ name, type: 'A', value: '198.51.100.7' })),
    ]));
    await replace('checked.test', 'TXT', 'v=spf1 include:i1.spf.test include:i2.spf.test include:i3.spf.test ip4:192.0.2.10 -all');
    expect(await record('spf')).toMatchObject({ status: 'wrong', hint: expect.stringContaining('more than 10 DNS lookups') });
    await replace('checked.test', 'TXT', 'v=spf1 ip4:198.51.100.1 mx -all');
    expect(await record('spf')).toMatchObject({ status: 'wrong', hint: expect.stringContaining(`does not authorize ${SENDER_IP}`) });
    await replace('checked.test', 'TXT', 'v=spf1 mx a:mail.platform.test ip4:192.0.2.10 -all');
    expect(await record('spf')).toMatchObject({ status: 'ok' });
  });

  it('reports SPF over the void-lookup limit, and an mx term naming more than 10 hosts, even where the platform passes first', async () => {
    // The platform's address matches before the faults: receivers still fail everyone else's mail.
    await replace('checked.test', 'TXT', 'v=spf1 ip4:192.0.2.10 a:nx1.spf.test a:nx2.spf.test a:nx3.spf.test -all');
    expect(await record('spf')).toMatchObject({ status: 'wrong', hint: expect.stringContaining('More than 2 of the record\'s DNS lookups find nothing') });
    const fanned = Array.from({ length: 11 }, (_, i) => `f${i + 1}.spf.test`);
    await dns.publish(
      ...fanned.map((name, i) => ({ name: 'fan.spf.test', type: 'MX', value: `${i + 1} ${name}.` })),
      ...fanned.map((name, i) => ({ name, type: 'A', value: `198.51.100.${20 + i}` })),
    );
    await replace('checked.test', 'TXT', 'v=spf1 ip4:192.0.2.10 mx:fan.spf.test -all');
    expect(await record('spf')).toMatchObject({ status: 'wrong', hint: expect.stringContaining('mx or ptr term leads to more than 10 host names') });
    await dns.unpublish('fan.spf.test', 'MX');
    await dns.publish(...fanned.slice(0, 10).map((name, i) => ({ name: 'fan.spf.test', type: 'MX', value: `${i + 1} ${name}.` })));
    expect(await record('spf')).toMatchObject({ status: 'ok' });
  });

  it('reports a DKIM key that does not match, and one that is missing', async () => {
    const [key] = (await client.get(`/v1/domains/${domainId}`)).body.dkim;
    await replace(key.name, 'TXT', key.value.replace(/p=.{10}/, 'p=AAAAAAAAAA'));
    expect(await record('dkim')).toMatchObject({ status: 'wrong', name: key.name, expected: key.value, hint: expect.stringContaining('not selector') });
    await replace(key.name, 'TXT');
    expect(await record('dkim')).toMatchObject({ status: 'missing' });
    await replace(key.name, 'TXT', key.value);
    expect(await record('dkim')).toMatchObject({ status: 'ok' });
  });

  it('reports DMARC missing, with a syntax error, doubled, and its policy', async () => {
    await replace('_dmarc.checked.test', 'TXT');
    expect(await record('dmarc')).toMatchObject({ status: 'missing' });
    await replace('_dmarc.checked.test', 'TXT', 'v=DMARC1; p=rejekt');
    expect(await record('dmarc')).toMatchObject({ status: 'wrong', hint: 'The record has an invalid p= value "rejekt".' });
    await replace('_dmarc.checked.test', 'TXT', 'v=DMARC1; p=none', 'v=DMARC1; p=reject');
    expect(await record('dmarc')).toMatchObject({ status: 'wrong', hint: expect.stringContaining('2 DMARC records') });
    await replace('_dmarc.checked.test', 'TXT', 'v=DMARC1; p=none');
    expect(await record('dmarc')).toMatchObject({ status: 'ok', policy: 'none', hint: expect.stringContaining('only report') });
  });

  it('reports TLS-RPT and discovery records missing and wrong', async () => {
    await replace('_smtp._tls.checked.test', 'TXT', 'v=TLSRPTv1; rua=ftp://x');
    expect(await record('tls-rpt')).toMatchObject({ status: 'wrong' });
    await replace('_smtp._tls.checked.test', 'TXT');
    expect(await record('tls-rpt')).toMatchObject({ status: 'missing' });
    await replace('autoconfig.checked.test', 'CNAME', 'elsewhere.test.');
    expect(await record('discovery', 'CNAME')).toMatchObject({ name: 'autoconfig.checked.test', status: 'wrong', found: ['elsewhere.test.'] });
    const srv = good.find((r) => r.type === 'SRV')!;
    await replace(srv.name, 'SRV');
    const result = await check();
    expect(result.records.find((r: any) => r.name === srv.name)).toMatchObject({ status: 'missing', expected: srv.value });
  });

  it('raises one alert for the tenant when a record that was ok goes wrong, however often it is seen', async () => {
    // Earlier tests broke records on purpose (and raised alerts): start from a clean slate.
    await api.db.alert.updateMany({ data: { state: 'resolved', resolvedAt: new Date() } });
    await dns.unpublish('checked.test', 'TXT');
    await dns.publish(...good.filter((r) => r.name === 'checked.test' && r.type === 'TXT'));
    expect(await record('spf')).toMatchObject({ status: 'ok' });
    await replace('checked.test', 'TXT', 'v=spf1 -all');
    expect(await record('spf')).toMatchObject({ status: 'wrong' });
    await check();
    const alerts = await api.db.alert.findMany({ where: { domainId, state: 'open' } });
    expect(alerts).toEqual([expect.objectContaining({
      resellerId, rule: 'dns.record_wrong', severity: 'warning', dedupeKey: `dns.record_wrong:${domainId}:spf:TXT:checked.test`,
      summary: expect.stringContaining('TXT checked.test was correct and is now wrong'),
      evidence: expect.objectContaining({ record: expect.objectContaining({ check: 'spf', status: 'wrong', found: ['v=spf1 -all'] }) }),
    })]);
    // Still wrong on the next check (no longer a change from ok): no second alert.
    await check();
    expect(await api.db.alert.count({ where: { domainId, state: 'open' } })).toBe(1);
    const [visible] = (await client.get('/v1/alerts')).body.items.filter((a: any) => a.state === 'open');
    expect(visible).toMatchObject({ domainId, rule: 'dns.record_wrong' });
  });

  it('only reads on GET, even a stale check, and refreshes only on POST with a key that may write', async () => {
    await api.db.alert.updateMany({ data: { state: 'resolved', resolvedAt: new Date() } });
    await replace('checked.test', 'TXT', ...good.filter((r) => r.name === 'checked.test' && r.type === 'TXT').map((r) => r.value));
    expect(await record('spf')).toMatchObject({ status: 'ok' });
    await replace('checked.test', 'TXT', 'v=spf1 -all');
    const stale = new Date(Date.now() - 3_600_000);
    await api.db.domain.update({ where: { id: domainId }, data: { dnsCheckedAt: stale } });
    const stored = (await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).dnsCheck;
    const url = `/v1/domains/${domainId}/dns-check`;

    const readOnly = await api.keyLike(client, { readOnly: true });
    const read = await readOnly.get(url);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ cached: false, status: 'problems' });
    expect(read.body.records.find((r: any) => r.check === 'spf')).toMatchObject({ status: 'wrong' });
    const refreshQuery = await readOnly.get(`${url}?refresh=true`);
    expect([refreshQuery.status, refreshQuery.body.errors]).toEqual([422, [expect.objectContaining({ field: 'refresh', code: 'unknown_field' })]]);
    expect(await readOnly.post(url)).toMatchObject({ status: 403, body: { code: 'read_only_key' } });
    const domainsReader = await api.keyLike(client, { scopes: ['domains:read'] });
    expect(await domainsReader.post(url)).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } });
    // Nothing of that was a write: the stored check is as it was and no alert was raised.
    expect(await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).toMatchObject({ dnsCheckedAt: stale, dnsCheck: stored });
    expect(await api.db.alert.count({ where: { domainId, state: 'open' } })).toBe(0);

    const refreshed = await client.post(url);
    expect(refreshed).toMatchObject({ status: 200, body: { cached: false, status: 'problems' } });
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).dnsCheckedAt?.toISOString()).toBe(refreshed.body.checkedAt);
    expect(await api.db.alert.findMany({ where: { domainId, state: 'open' } })).toEqual([expect.objectContaining({ rule: 'dns.record_wrong' })]);
    expect(await check(false)).toMatchObject({ cached: true, checkedAt: refreshed.body.checkedAt });
  });

  it('hosts the MTA-STS policy for domains that opt in, with an id that changes with the policy', async () => {
    expect((await getWithHost(api.baseUrl, '/.well-known/mta-sts.txt', 'mta-sts.checked.test')).status).toBe(404);
    const on = await client.patch(`/v1/domains/${domainId}`, { mtaSts: { mode: 'enforce', maxAgeSeconds: 86400 } });
    expect(on.status).toBe(200);
    const id = on.body.mtaSts.policyId;
    expect(on.body.mtaSts).toMatchObject({
      mode: 'enforce', maxAgeSeconds: 86400, policyUrl: 'https://mta-sts.checked.test/.well-known/mta-sts.txt',
      records: [{ type: 'TXT', name: '_mta-sts.checked.test', value: `v=STSv1; id=${id}` }, { type: 'CNAME', name: 'mta-sts.checked.test', value: 'mail.platform.test.' }],
    });
    expect(id).toMatch(/^[A-Za-z0-9]{1,32}$/);
    expect(await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).toMatchObject({ mtaStsMode: 'enforce', mtaStsMaxAge: 86400, mtaStsPolicyId: id });

    const policy = await getWithHost(api.baseUrl, '/.well-known/mta-sts.txt', 'MTA-STS.checked.test:443');
    expect(policy).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'version: STSv1\r\nmode: enforce\r\nmx: mx1.platform.test\r\nmx: mx2.platform.test\r\nmax_age: 86400\r\n' });

    expect((await client.patch(`/v1/domains/${domainId}`, { mtaSts: { mode: 'enforce', maxAgeSeconds: 86400 } })).body.mtaSts.policyId).toBe(id);
    const changed = (await client.patch(`/v1/domains/${domainId}`, { mtaSts: { mode: 'testing', maxAgeSeconds: 86400 } })).body.mtaSts.policyId;
    expect(changed).not.toBe(id);

    expect(await record('mta-sts')).toMatchObject({ status: 'missing', expected: `v=STSv1; id=${changed}` });
    await dns.publish({ name: '_mta-sts.checked.test', type: 'TXT', value: `v=STSv1; id=${id}` }, { name: 'mta-sts.checked.test', type: 'CNAME', value: 'mail.platform.test.' });
    expect(await record('mta-sts')).toMatchObject({ status: 'wrong', hint: expect.stringContaining('stale policy') });
    await replace('_mta-sts.checked.test', 'TXT', `v=STSv1; id=${changed}`);
    expect((await check()).records.filter((r: any) => r.check === 'mta-sts').map((r: any) => [r.type, r.status])).toEqual([['TXT', 'ok'], ['CNAME', 'ok'], ['MTA-STS', 'missing']]);

    const off = await client.patch(`/v1/domains/${domainId}`, { mtaSts: null });
    expect(off.body.mtaSts).toBeNull();
    expect((await getWithHost(api.baseUrl, '/.well-known/mta-sts.txt', 'mta-sts.checked.test')).status).toBe(404);
  });

  it('rejects a bad MTA-STS setting with a code', async () => {
    const res = await client.patch(`/v1/domains/${domainId}`, { mtaSts: { mode: 'strict' } });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ field: 'mtaSts.mode', code: 'invalid_value' });
  });

  it('lets the worker refresh checks older than the cache time, and answers 503 when DNS cannot be asked', async () => {
    const before = (await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).dnsCheckedAt!;
    const service = api.app.get(DnsCheckService);
    expect(await service.refreshStale(new Date(Date.now() - 300_000 + 60_000))).toEqual({ checked: 0, failed: 0 });
    expect(await service.refreshStale(new Date(Date.now() + 301_000))).toEqual({ checked: 1, failed: 0 });
    const after = (await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).dnsCheckedAt!;
    expect(after.getTime()).toBeGreaterThan(before.getTime());

    await dns.stop();
    const res = await client.post(`/v1/domains/${domainId}/dns-check`);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('dns_lookup_failed');
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: domainId } })).dnsCheckedAt).toEqual(after);
  });
});
