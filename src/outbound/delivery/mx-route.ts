import { Injectable } from '@nestjs/common';
import { DnsLookupError, DnsResolver } from '../../dns/dns-resolver.js';
import { DestinationPolicy, PRIVATE_DESTINATION_CODE, type ResolvedDestination, privateDestinationText } from '../../net/destination-policy.js';
import { MX_ROUTE_CACHE_ENTRIES, MX_ROUTE_CACHE_MS } from './delivery.constants.js';
import { type AttemptResult, unroutable } from './smtp-outcome.js';

export interface MxHost {
  /** The MX host name (TLS server name, and what attempts record). */
  name: string;
  addresses: string[];
}

/** Where one destination domain's mail goes: its hosts in preference order, or why nowhere. */
export type MxRoute = { hosts: MxHost[] } | { failure: AttemptResult };

/**
 * RFC 5321 §5.1: the MX records in preference order; without any, the domain's own A/AAAA as an
 * implicit MX of preference 0. A null MX (RFC 7505, "0 .") says the domain takes no mail at all.
 * A lookup that failed (timeout, SERVFAIL) is a temporary failure; a name with neither MX nor
 * address is a permanent one. Addresses the destination policy refuses (loopback, private…) are
 * dropped here, and delivery connects to the addresses kept, never to a name looked up again;
 * a domain left with none is deferred (EPRIVATEDEST): the tenant may fix its DNS in time.
 */
@Injectable()
export class MxRouter {
  // Node's resolver caches nothing, and a caching resolver on the host is not a given: without
  // this, every message to a large provider would cost an MX and two address lookups. Only routes
  // found are kept (briefly, well under usual MX TTLs); a failed lookup is asked again next time.
  private readonly routes = new Map<string, { hosts: MxHost[]; until: number }>();

  constructor(
    private readonly dns: DnsResolver,
    private readonly destinations: DestinationPolicy,
  ) {}

  async route(domain: string): Promise<MxRoute> {
    const cached = this.routes.get(domain);
    if (cached && cached.until > Date.now()) return { hosts: cached.hosts };
    const route = await this.lookup(domain);
    if ('hosts' in route) {
      this.routes.delete(domain);
      if (this.routes.size >= MX_ROUTE_CACHE_ENTRIES) this.routes.delete(this.routes.keys().next().value!);
      this.routes.set(domain, { hosts: route.hosts, until: Date.now() + MX_ROUTE_CACHE_MS });
    }
    return route;
  }

  private async lookup(domain: string): Promise<MxRoute> {
    try {
      const mx = await this.dns.mx(domain);
      if (mx.length === 1 && (mx[0].exchange === '' || mx[0].exchange === '.')) {
        return { failure: unroutable('bounced', '5.1.10', `${domain} publishes a null MX (RFC 7505): it accepts no mail`) };
      }
      if (!mx.length) {
        const { addresses, refused } = await this.destinations.resolve(domain);
        if (addresses.length) return { hosts: [{ name: domain, addresses }] };
        if (refused) return { failure: privateOnly(`${privateDestinationText(domain)} and has no MX`) };
        return { failure: unroutable('bounced', '5.1.2', `${domain} has no MX and no address record`) };
      }
      const names = mx.map((record) => record.exchange.replace(/\.$/, ''));
      const hosts = await Promise.all(names.map(async (name) => ({ name, ...(await this.addressesOf(name)) })));
      const reachable = hosts.filter((host) => host.addresses.length).map(({ name, addresses }) => ({ name, addresses }));
      if (reachable.length) return { hosts: reachable };
      const refused = hosts.filter((host) => host.refused).map((host) => host.name);
      if (refused.length === 1) return { failure: privateOnly(privateDestinationText(`MX host ${refused[0]}`)) };
      if (refused.length) return { failure: privateOnly(`MX hosts ${refused.join(', ')} resolve only to private addresses`) };
      return { failure: unroutable('deferred', '4.4.4', `no address for the MX hosts of ${domain}: ${names.join(', ')}`, 'EDNS') };
    } catch (error) {
      if (error instanceof DnsLookupError) return { failure: unroutable('deferred', '4.4.3', error.message, 'EDNS') };
      throw error;
    }
  }

  /** One host's failed lookup does not sink the others: it just has no address this time. */
  private async addressesOf(name: string): Promise<ResolvedDestination> {
    try {
      return await this.destinations.resolve(name);
    } catch (error) {
      if (error instanceof DnsLookupError) return { addresses: [], refused: 0 };
      throw error;
    }
  }
}

// RFC 3463 X.4.4 "unable to route", temporary: the text names hosts, never the refused addresses.
function privateOnly(text: string): AttemptResult {
  return unroutable('deferred', '4.4.4', text, PRIVATE_DESTINATION_CODE);
}
