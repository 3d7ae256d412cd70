import { Resolver } from 'node:dns/promises';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';

export interface DkimVerdict {
  domain: string;
  selector: string;
  algorithm: string;
  result: string;
  comment?: string;
}

/**
 * Verifies every DKIM-Signature of `message` with mailauth (a verifier we did not write),
 * fetching the keys from the DNS server at `dnsAddress` ('127.0.0.1:PORT', e.g. TestDnsServer).
 */
export async function verifyDkim(message: Buffer, dnsAddress: string): Promise<DkimVerdict[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dnsAddress]);
  const result = await dkimVerify(message, { resolver: (name: string, type: string) => resolver.resolve(name, type as 'TXT') });
  return result.results.map((r: any) => ({
    domain: r.signingDomain,
    selector: r.selector,
    algorithm: r.algo,
    result: r.status.result,
    ...(r.status.comment && { comment: r.status.comment }),
  }));
}
