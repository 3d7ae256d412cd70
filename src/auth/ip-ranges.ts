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
