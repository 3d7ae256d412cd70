import { loadConfig } from '../../src/config/config.js';
import { DnsResolver } from '../../src/dns/dns-resolver.js';
import { TestDnsServer } from '../support/dns-server.js';

// The test DNS server itself, read through the product's resolver pointed at it by DNS_SERVERS.
describe('Test DNS server (Knot) through DnsResolver', () => {
  let dns: TestDnsServer;
  let resolver: DnsResolver;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    resolver = new DnsResolver(loadConfig({ ...process.env, DNS_SERVERS: dns.address }));
  });

  afterAll(async () => {
    await dns?.stop();
  });

  it('serves published MX and TXT records, long TXT texts as one string, and forgets unpublished ones', async () => {
    const long = `v=DKIM1; k=rsa; p=${'A'.repeat(400)}`;
    await dns.publish(
      { name: 'harness.test', type: 'MX', value: '10 mx1.harness.test.' },
      { name: 'harness.test', type: 'MX', value: '20 mx2.harness.test.' },
      { name: 'harness.test', type: 'TXT', value: 'v=spf1 -all' },
      { name: 'sel._domainkey.harness.test', type: 'TXT', value: long },
      { name: 'quote.harness.test', type: 'TXT', value: 'say "hi" \\ ok' },
    );

    expect(await resolver.mx('harness.test')).toEqual([
      { exchange: 'mx1.harness.test', priority: 10 },
      { exchange: 'mx2.harness.test', priority: 20 },
    ]);
    expect(await resolver.txt('harness.test')).toEqual(['v=spf1 -all']);
    expect(await resolver.txt('sel._domainkey.harness.test')).toEqual([long]);
    expect(await resolver.txt('quote.harness.test')).toEqual(['say "hi" \\ ok']);

    await dns.unpublish('harness.test', 'TXT');
    expect(await resolver.txt('harness.test')).toEqual([]);
    expect(await resolver.mx('harness.test')).toHaveLength(2);
    await dns.unpublish('harness.test');
    expect(await resolver.mx('harness.test')).toEqual([]);
    expect(await resolver.txt('absent.harness.test')).toEqual([]);
  });
});
