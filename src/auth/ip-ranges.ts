import ipaddr from 'ipaddr.js';

export function isValidCidr(cidr: string): boolean {
  try {
    ipaddr.parseCIDR(cidr);
    return true;
  } catch {
    return false;
  }
}

/** True when `ip` lies in one of `ranges` (CIDR). IPv4-mapped IPv6 addresses count as IPv4. */
export function ipInRanges(ip: string, ranges: string[]): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return ranges.some((cidr) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return network.kind() === address.kind() && address.match([network, bits] as never);
  });
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** An IPv4-mapped IPv6 range (::ffff:a.b.c.d/96+) as the IPv4 range it is, as ipInRanges sees it. */
function normalizedRange(cidr: string): Range {
  const [network, bits] = ipaddr.parseCIDR(cidr);
  if (network.kind() === 'ipv6' && bits >= 96 && (network as ipaddr.IPv6).isIPv4MappedAddress()) {
    return [(network as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [network, bits];
}

/** True when every address of `cidr` lies in one of `ranges` (CIDR). */
export function rangeWithinRanges(cidr: string, ranges: string[]): boolean {
  const [network, bits] = normalizedRange(cidr);
  return ranges.some((outer) => {
    const [outerNetwork, outerBits] = normalizedRange(outer);
    return outerNetwork.kind() === network.kind() && bits >= outerBits && network.match([outerNetwork, outerBits] as never);
  });
}
