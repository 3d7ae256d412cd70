import { networkOf } from './login-network.js';

describe('networkOf', () => {
  it('is the /24 of an IPv4 address', () => {
    expect(networkOf('192.0.2.77')).toBe('192.0.2.0/24');
    expect(networkOf('127.0.0.1')).toBe(networkOf('127.0.0.2'));
    expect(networkOf('127.0.1.1')).not.toBe(networkOf('127.0.0.1'));
  });

  it('treats an IPv4-mapped IPv6 address as IPv4', () => {
    expect(networkOf('::ffff:192.0.2.77')).toBe('192.0.2.0/24');
  });

  it('is the /48 of an IPv6 address, whatever its spelling', () => {
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('2001:0DB8:ABCD:0099:0:0:0:1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(networkOf('::1')).toBe('0:0:0::/48');
    expect(networkOf('fe80::1%eth0')).toBe('fe80:0:0::/48');
  });

  it('is null for what is not an IP address', () => {
    expect(networkOf('')).toBeNull();
    expect(networkOf('example.com')).toBeNull();
  });
});
