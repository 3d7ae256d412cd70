import { Injectable } from '@nestjs/common';
import { DnsLookupError } from '../dns/dns-resolver.js';
import { DestinationPolicy, PRIVATE_DESTINATION_CODE, nonPublicRange, privateDestinationText } from '../net/destination-policy.js';

/** Where one attempt connects: the URL, and the approved IP literals of its host. */
export interface WebhookTarget {
  url: URL;
  host: string;
  port: number;
  tls: boolean;
  addresses: string[];
}

export type DestinationErrorCode = typeof PRIVATE_DESTINATION_CODE | 'EINSECURE' | 'ENOTFOUND' | 'EDNS';

export class WebhookDestinationError extends Error {
  constructor(readonly code: DestinationErrorCode, message: string) {
    super(message);
  }
}

/**
 * Every attempt (and the endpoint's creation) resolves the URL's host and keeps only addresses
 * the destination policy allows; the request then goes to one of those IP literals, so a DNS
 * answer that changes afterwards (rebinding) is never consulted. `https` always; plain `http`
 * only when the host resolves inside PRIVATE_DESTINATIONS_ALLOWED (a receiver on the operator's
 * own network, or loopback in tests), never over the internet.
 */
@Injectable()
export class WebhookDestination {
  constructor(private readonly policy: DestinationPolicy) {}

  async resolve(raw: string): Promise<WebhookTarget> {
    const url = new URL(raw);
    const tls = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const resolved = await this.policy.resolve(host).catch((error: unknown) => {
      if (error instanceof DnsLookupError) throw new WebhookDestinationError('EDNS', `${host}: ${error.message}`);
      throw error;
    });
    const addresses = tls ? resolved.addresses : resolved.addresses.filter((ip) => nonPublicRange(ip) !== null);
    if (!addresses.length) {
      if (resolved.refused) throw new WebhookDestinationError(PRIVATE_DESTINATION_CODE, privateDestinationText(host));
      if (!tls && resolved.addresses.length) throw new WebhookDestinationError('EINSECURE', `${host} is reached over the internet: use https`);
      throw new WebhookDestinationError('ENOTFOUND', `${host} has no address`);
    }
    return { url, host, port: Number(url.port) || (tls ? 443 : 80), tls, addresses };
  }
}
