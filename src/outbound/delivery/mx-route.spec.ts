import { DnsLookupError, type DnsResolver } from '../../dns/dns-resolver.js';
import { MxRouter } from './mx-route.js';

// The lookups themselves are tested against Knot (test/e2e/outbound-delivery.e2e.ts); this is
// about how often they are made.
function countingDns(fail = false) {
  const calls: string[] = [];
  const dns = {
    mx: async (name: string) => {
      calls.push(`MX ${name}`);
      if (fail) throw new DnsLookupError('ETIMEOUT', name, 'MX');
      return [{ exchange: `mx.${name}`, priority: 10 }];
    },
    addresses: async (name: string) => (calls.push(`A ${name}`), ['192.0.2.1']),
  };
  return { dns: dns as unknown as DnsResolver, calls };
}

describe('MxRouter', () => {
  it('looks a domain up once for many messages, and each domain on its own', async () => {
    const { dns, calls } = countingDns();
    const router = new MxRouter(dns);
    for (let i = 0; i < 3; i++) expect(await router.route('a.example')).toEqual({ hosts: [{ name: 'mx.a.example', addresses: ['192.0.2.1'] }] });
    await router.route('b.example');
    expect(calls).toEqual(['MX a.example', 'A mx.a.example', 'MX b.example', 'A mx.b.example']);
  });

  it('asks again after a failed lookup', async () => {
    const { dns, calls } = countingDns(true);
    const router = new MxRouter(dns);
    expect(await router.route('a.example')).toMatchObject({ failure: { outcome: 'deferred', enhanced: '4.4.3' } });
    await router.route('a.example');
    expect(calls).toEqual(['MX a.example', 'MX a.example']);
  });
});
