import { isIPv4, isIPv6 } from 'node:net';

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const IPV6_NETWORK_GROUPS = 3; // /48: the usual size of one site's allocation

/**
 * The network a login came from, as the new-network rule remembers it: the /24 of an IPv4
 * address, the /48 of an IPv6 one (an IPv4-mapped IPv6 address counts as IPv4). Null when the
 * address is not an IP address (Dovecot sends an empty %{rip} for some local logins).
 */
export function networkOf(ip: string): string | null {
  const mapped = IPV4_MAPPED.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  if (isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(address)) return null;
  return `${expandIPv6(address).slice(0, IPV6_NETWORK_GROUPS).join(':')}::/48`;
}

/** The eight groups of an IPv6 address, without leading zeros (so one network has one spelling). */
function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0]!.toLowerCase();
  const [head, tail] = withoutZone.includes('::') ? withoutZone.split('::') : [withoutZone, undefined];
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  let left = groupsOf(head);
  let right = groupsOf(tail);
  // An embedded IPv4 tail (::1.2.3.4) is two groups.
  const lastOf = (groups: string[]) => groups.at(-1) ?? '';
  for (const groups of [left, right]) {
    if (lastOf(groups).includes('.')) {
      const octets = lastOf(groups).split('.').map(Number);
      groups.splice(-1, 1, ((octets[0]! << 8) | octets[1]!).toString(16), ((octets[2]! << 8) | octets[3]!).toString(16));
    }
  }
  if (tail === undefined) right = [];
  const zeros = Array<string>(8 - left.length - right.length).fill('0');
  left = [...left, ...zeros, ...right];
  return left.map((group) => parseInt(group || '0', 16).toString(16));
}
