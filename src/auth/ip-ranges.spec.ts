import { ipInRanges, rangeWithinRanges } from './ip-ranges.js';

describe('rangeWithinRanges', () => {
  it.each([
    ['10.1.2.0/24', ['10.0.0.0/8'], true],
    ['10.0.0.0/8', ['10.0.0.0/8'], true],
    ['10.1.2.3/32', ['10.1.2.0/24', '192.0.2.0/24'], true],
    ['10.0.0.0/7', ['10.0.0.0/8'], false],
    ['11.0.0.0/24', ['10.0.0.0/8'], false],
    ['0.0.0.0/0', ['10.0.0.0/8'], false],
    ['2001:db8:1::/48', ['2001:db8::/32'], true],
    ['2001:db8::/31', ['2001:db8::/32'], false],
    ['10.1.0.0/16', ['2001:db8::/32'], false],
    ['::/0', ['10.0.0.0/8'], false],
    // IPv4-mapped IPv6 ranges are the IPv4 ranges they map.
    ['::ffff:10.1.0.0/112', ['10.0.0.0/8'], true],
    ['::ffff:0:0/96', ['10.0.0.0/8'], false],
    ['10.1.0.0/16', ['::ffff:10.0.0.0/104'], true],
  ])('%s within %j: %s', (cidr, ranges, expected) => {
    expect(rangeWithinRanges(cidr, ranges)).toBe(expected);
  });

  it('agrees with ipInRanges on single addresses', () => {
    expect(ipInRanges('::ffff:10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(rangeWithinRanges('::ffff:10.1.2.3/128', ['10.0.0.0/8'])).toBe(true);
  });
});
