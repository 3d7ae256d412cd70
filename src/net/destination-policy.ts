import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';
import { CONFIG, type Config } from '../config/config.js';
import { DnsResolver } from '../dns/dns-resolver.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

// Forms that carry an IPv4 address a connection actually reaches: IPv4-mapped (RFC 4291 §2.5.5.2)
// and IPv4-translated (RFC 6145) go to the IPv4 address itself on a dual-stack socket; the NAT64
// well-known prefix (RFC 6052 §2.1) and 6to4 (RFC 3056) are turned into it by a gateway.
const EMBEDS_IPV4_IN_LOW_BITS = new Set(['ipv4Mapped', 'rfc6145']);
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR = '6to4';
// The only IPv6 space assigned as global unicast (RFC 4291 §2.4); ::/96 (the deprecated
// IPv4-compatible form, ::127.0.0.1) and every other prefix outside it is not a public host.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * The range that makes `ip` no public destination (ipaddr.js's name: loopback, private,
 * linkLocal, carrierGradeNat, multicast, unspecified, broadcast, reserved, uniqueLocal, teredo…),
 * or null when it is a public unicast address. Allow-listed by nature: anything ipaddr.js does
 * not call plain `unicast` is refused, so a range added to a later ipaddr.js is refused too.
 */
export function nonPublicRange(ip: string): string | null {
  if (isIP(ip) === 0) return 'invalid';
  const address = parse(ip);
  if (address.kind() === 'ipv4') return v4Range(address as ipaddr.IPv4);
  const v6 = address as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    const range = v4Range(embedded);
    return range && `${v6.range()} ${range}`;
  }
  const range = v6.range();
  if (range !== 'unicast') return range;
  return v6.match(GLOBAL_UNICAST_V6) ? null : 'notGlobalUnicast';
}

/**
 * An address Node accepts (isIP), parsed. ipaddr.js reads any IPv6 address ending in a dotted
 * quad as IPv4-mapped (`::127.0.0.1` becomes `::ffff:127.0.0.1`), which is not where Node
 * connects: the quad is turned into its two hex groups first. The zone (`%eth0`) is dropped.
 */
function parse(ip: string): Address {
  if (isIP(ip) === 4) return ipaddr.IPv4.parse(ip);
  const hex = ip.split('%')[0].replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  return ipaddr.IPv6.parse(hex);
}

function v4Range(address: ipaddr.IPv4): string | null {
  const range = address.range();
  return range === 'unicast' ? null : range;
}

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = address.range();
  const bytes = address.toByteArray();
  if (EMBEDS_IPV4_IN_LOW_BITS.has(range) || address.match(NAT64_WELL_KNOWN)) return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === SIX_TO_FOUR) return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

/** The same address as an IPv4 one when it is IPv4-mapped or -translated: that is where it connects. */
function connectsTo(ip: string): Address {
  const address = parse(ip);
  if (address.kind() === 'ipv6' && EMBEDS_IPV4_IN_LOW_BITS.has(address.range())) {
    return new ipaddr.IPv4((address as ipaddr.IPv6).toByteArray().slice(12, 16));
  }
  return address;
}

/** The text tenants see for a refused host: it names the host, never the address. */
export function privateDestinationText(host: string): string {
  return `${host} resolves only to a private address`;
}

/** The error code of a refused destination, in the style of Node's and nodemailer's codes. */
export const PRIVATE_DESTINATION_CODE = 'EPRIVATEDEST';

/** A connection that the policy refuses. */
export class PrivateDestinationError extends Error {
  readonly code = PRIVATE_DESTINATION_CODE;

  constructor(readonly host: string) {
    super(privateDestinationText(host));
  }
}

/** The addresses of a host that may be connected to, and how many of its addresses were refused. */
export interface ResolvedDestination {
  addresses: string[];
  refused: number;
}

/**
 * Whether Postmaster may connect to an address when a tenant chose the destination (MX delivery,
 * the MTA-STS fetch, probes of tenants' host names, webhooks): never to loopback, private,
 * link-local, CGNAT, multicast or reserved space — where the platform's own services, cloud
 * metadata endpoints and the neighbours on its network are — unless the operator listed the
 * range in PRIVATE_DESTINATIONS_ALLOWED. Callers resolve with `resolve()`, then connect to one
 * of the returned IP literals (TLS server name: the host name), so a DNS answer that changes
 * between the check and the connection (DNS rebinding) is never looked up a second time.
 */
@Injectable()
export class DestinationPolicy {
  private readonly allowed: [Address, number][];

  constructor(
    @Inject(CONFIG) config: Pick<Config, 'PRIVATE_DESTINATIONS_ALLOWED'>,
    private readonly dns: DnsResolver,
  ) {
    this.allowed = config.PRIVATE_DESTINATIONS_ALLOWED.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  isDestinationAllowed(ip: string): boolean {
    if (nonPublicRange(ip) === null) return true;
    if (isIP(ip) === 0) return false;
    const address = connectsTo(ip);
    return this.allowed.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  }

  /** Throws PrivateDestinationError naming `host` (the name the tenant gave), not the address. */
  assertDestinationAllowed(ip: string, host: string): void {
    if (!this.isDestinationAllowed(ip)) throw new PrivateDestinationError(host);
  }

  /** `host`'s A and AAAA addresses that may be connected to (an IP literal is its own answer). DnsLookupError passes through. */
  async resolve(host: string): Promise<ResolvedDestination> {
    const all = await this.dns.addresses(host);
    const addresses = all.filter((ip) => this.isDestinationAllowed(ip));
    return { addresses, refused: all.length - addresses.length };
  }
}
