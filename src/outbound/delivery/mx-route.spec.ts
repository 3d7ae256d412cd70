import type { Config } from '../../config/config.js';
import { DnsLookupError, type DnsResolver } from '../../dns/dns-resolver.js';
import { DestinationPolicy } from '../../net/destination-policy.js';
import { MxRouter } from './mx-route.js';

// The lookups themselves are tested against Knot (test/e2e/outbound-delivery.e2e.ts); this is
// about how often they are made.
const PUBLIC = '93.184.215.14';

function countingDns(fail = false, addressesOf: (name: string) => string[] = () => [PUBLIC]) {
  const calls: string[] = [];
  const dns = {
    mx: async (name: string) => {
      calls.push(`MX ${name}`);
      if (fail) throw new DnsLookupError('ETIMEOUT', name, 'MX');
      return name.startsWith('implicit.') ? [] : [{ exchange: `mx.${name}`, priority: 10 }, { exchange: `mx2.${name}`, priority: 20 }].slice(0, name.startsWith('two.') ? 2 : 1);
    },
    addresses: async (name: string) => (calls.push(`A ${name}`), addressesOf(name)),
  };
  return { dns: dns as unknown as DnsResolver, calls };
}

const router = (dns: DnsResolver, allowed: string[] = []) =>
  new MxRouter(dns, new DestinationPolicy({ PRIVATE_DESTINATIONS_ALLOWED: allowed } as unknown as Config, dns));

describe('MxRouter', () => {
  it('looks a domain up once for many messages, and each domain on its own', async () => {
    const { dns, calls } = countingDns();
    const mx = router(dns);
    for (let i = 0; i < 3; i++) expect(await mx.route('a.example')).toEqual({ hosts: [{ name: 'mx.a.example', addresses: [PUBLIC] }] });
    await mx.route('b.example');
    expect(calls).toEqual(['MX a.example', 'A mx.a.example', 'MX b.example', 'A mx.b.example']);
  });

  it('asks again after a failed lookup', async () => {
    const { dns, calls } = countingDns(true);
    const mx = router(dns);
    expect(await mx.route('a.example')).toMatchObject({ failure: { outcome: 'deferred', enhanced: '4.4.3' } });
    await mx.route('a.example');
    expect(calls).toEqual(['MX a.example', 'MX a.example']);
  });

  it('drops private addresses and hosts that have nothing else, and keeps the public ones', async () => {
    const { dns } = countingDns(false, (name) => (name === 'mx.two.example' ? ['10.0.0.5', '::ffff:127.0.0.1'] : ['192.168.1.2', PUBLIC]));
    expect(await router(dns).route('two.example')).toEqual({ hosts: [{ name: 'mx2.two.example', addresses: [PUBLIC] }] });
  });

  it('defers with EPRIVATEDEST, naming the hosts and not their addresses, when only private addresses are left', async () => {
    const { dns } = countingDns(false, () => ['127.0.0.1', 'fd00::1']);
    const one = await router(dns).route('a.example');
    expect(one).toEqual({ failure: { outcome: 'deferred', code: null, enhanced: '4.4.4', errorCode: 'EPRIVATEDEST', response: 'MX host mx.a.example resolves only to a private address' } });
    expect(await router(dns).route('two.example')).toMatchObject({ failure: { errorCode: 'EPRIVATEDEST', response: 'MX hosts mx.two.example, mx2.two.example resolve only to private addresses' } });
    expect(await router(dns).route('implicit.example')).toMatchObject({ failure: { outcome: 'deferred', errorCode: 'EPRIVATEDEST', response: 'implicit.example resolves only to a private address and has no MX' } });
    // The operator's allowed ranges are routed like any other.
    expect(await router(dns, ['127.0.0.0/8']).route('a.example')).toEqual({ hosts: [{ name: 'mx.a.example', addresses: ['127.0.0.1'] }] });
  });
});
