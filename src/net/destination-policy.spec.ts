import { type Config, loadConfig } from '../config/config.js';
import { DnsResolver } from '../dns/dns-resolver.js';
import { DestinationPolicy, PrivateDestinationError, nonPublicRange } from './destination-policy.js';

const policy = (allowed: string[] = []) => {
  const config = { PRIVATE_DESTINATIONS_ALLOWED: allowed, DNS_TIMEOUT_MS: 1000 } as Config;
  return new DestinationPolicy(config, new DnsResolver(config));
};

describe('DestinationPolicy', () => {
  const refused = policy();

  it.each([
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'], ['100.127.255.255', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.0.8', 'reserved'], ['192.0.2.1', 'reserved'], ['198.51.100.7', 'reserved'], ['203.0.113.9', 'reserved'],
    ['198.18.0.1', 'reserved'], ['198.19.255.255', 'reserved'], ['240.0.0.1', 'reserved'], ['192.88.99.1', 'reserved'],
    ['::', 'unspecified'], ['::1', 'loopback'],
    ['fc00::1', 'uniqueLocal'], ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'], ['fe80::1%eth0', 'linkLocal'], ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'], ['ff0e::1', 'multicast'],
    ['2001:db8::1', 'reserved'], ['3fff::1', 'reserved'], ['100::1', 'discard'], ['2001:2::1', 'benchmarking'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    // IPv4 inside IPv6: where the connection really goes.
    ['::ffff:127.0.0.1', 'ipv4Mapped loopback'], ['::ffff:7f00:1', 'ipv4Mapped loopback'], ['::ffff:10.1.2.3', 'ipv4Mapped private'],
    ['::ffff:169.254.169.254', 'ipv4Mapped linkLocal'], ['::ffff:0:127.0.0.1', 'rfc6145 loopback'],
    ['64:ff9b::7f00:1', 'rfc6052 loopback'], ['64:ff9b::a00:1', 'rfc6052 private'], ['64:ff9b:1::1', 'rfc6052'],
    ['2002:7f00:1::1', '6to4 loopback'], ['2002:c0a8:101::1', '6to4 private'],
    // The deprecated IPv4-compatible form (RFC 4291 §2.5.5.1) and other space outside 2000::/3.
    ['::127.0.0.1', 'notGlobalUnicast'], ['::a00:1', 'notGlobalUnicast'], ['4000::1', 'notGlobalUnicast'],
    ['localhost', 'invalid'], ['2130706433', 'invalid'], ['0x7f.1', 'invalid'], ['', 'invalid'],
  ])('refuses %s (%s)', (ip, range) => {
    expect(nonPublicRange(ip)).toBe(range);
    expect(refused.isDestinationAllowed(ip)).toBe(false);
    expect(() => refused.assertDestinationAllowed(ip, 'mx.example.com')).toThrow(PrivateDestinationError);
  });

  it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.1', '172.32.0.1', '2a00:1450:4001:82b::200e',
    '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])('allows the public address %s', (ip) => {
    expect(nonPublicRange(ip)).toBeNull();
    expect(refused.isDestinationAllowed(ip)).toBe(true);
    expect(() => refused.assertDestinationAllowed(ip, 'mx.example.com')).not.toThrow();
  });

  it('allows what the operator lists, IPv4-mapped forms included, and nothing next to it', () => {
    const allowing = policy(['127.0.0.0/8', '10.1.0.0/16', 'fd00::/8']);
    for (const ip of ['127.0.0.1', '127.0.0.2', '::ffff:127.0.0.1', '10.1.200.3', 'fd00::5', '8.8.8.8']) expect(allowing.isDestinationAllowed(ip)).toBe(true);
    for (const ip of ['::1', '10.2.0.1', '169.254.169.254', 'fc00::1', '192.168.0.1', '64:ff9b::7f00:1']) expect(allowing.isDestinationAllowed(ip)).toBe(false);
  });

  it('says which host was refused and never the address', () => {
    const error = (() => {
      try {
        refused.assertDestinationAllowed('10.0.0.5', 'MX host mx.example.com');
      } catch (caught) {
        return caught as PrivateDestinationError;
      }
    })();
    expect(error).toMatchObject({ code: 'EPRIVATEDEST', message: 'MX host mx.example.com resolves only to a private address' });
  });

  it('resolves a host and keeps only the addresses it may connect to', async () => {
    // IP literals are their own answer: no DNS server is asked.
    expect(await refused.resolve('10.0.0.1')).toEqual({ addresses: [], refused: 1 });
    expect(await refused.resolve('8.8.4.4')).toEqual({ addresses: ['8.8.4.4'], refused: 0 });
    expect(await policy(['10.0.0.0/8']).resolve('10.0.0.1')).toEqual({ addresses: ['10.0.0.1'], refused: 0 });
  });

  it('reads PRIVATE_DESTINATIONS_ALLOWED from the configuration, empty by default', () => {
    const base = { DATABASE_URL: 'postgresql://127.0.0.1/x', POSTMASTER_SECRET: 'x'.repeat(32) };
    const config = loadConfig(base);
    expect(new DestinationPolicy(config, new DnsResolver(config)).isDestinationAllowed('127.0.0.1')).toBe(false);
    const loopback = loadConfig({ ...base, PRIVATE_DESTINATIONS_ALLOWED: '127.0.0.0/8' });
    expect(new DestinationPolicy(loopback, new DnsResolver(loopback)).isDestinationAllowed('127.0.0.1')).toBe(true);
  });
});
