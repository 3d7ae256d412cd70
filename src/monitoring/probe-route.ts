import { DnsLookupError } from '../dns/dns-resolver.js';
import { type DestinationPolicy, privateDestinationText } from '../net/destination-policy.js';
import type { ProbeProblem } from './certificate-check.js';

/** Where a probe connects (`address` unset: the host name itself), or why it does not. */
export type ProbeRoute = { address?: string } | { problem: ProbeProblem };

/**
 * Exempt from the destination policy, because the operator set them and a tenant cannot change
 * them: MAIL_PROBE_ADDRESS (every probe then connects there, whatever the name), and the
 * platform's own host names (MAIL_HOSTNAME, PUT /v1/mail-services/endpoints), whose mail servers
 * may well sit on a private network. A host name a reseller or domain advertises is the tenant's
 * choice: it is resolved once and probed at an address the policy allows, by IP literal.
 */
export async function probeRoute(host: string, ownedByTenant: boolean, probeAddress: string | undefined, destinations: DestinationPolicy): Promise<ProbeRoute> {
  if (probeAddress) return { address: probeAddress };
  if (!ownedByTenant) return {};
  try {
    const { addresses, refused } = await destinations.resolve(host);
    if (addresses.length) return { address: addresses[0] };
    if (refused) return { problem: error('private_destination', `${privateDestinationText(host)}: it is not probed.`) };
    return { problem: error('no_address', `${host} has no address record.`) };
  } catch (caught) {
    if (caught instanceof DnsLookupError) return { problem: error('dns_lookup_failed', `The DNS lookup of ${host} failed (${caught.code}).`) };
    throw caught;
  }
}

function error(code: string, message: string): ProbeProblem {
  return { code, severity: 'error', message };
}
