import ipaddr from 'ipaddr.js';
import type { DnsResolver } from '../dns/dns-resolver.js';

// RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups (include, a, mx, ptr, exists,
// redirect) in one evaluation, includes and redirects counted through.
export const SPF_LOOKUP_LIMIT = 10;
// Stops a loop of includes long before the limit matters; the count reports it as over the limit.
const MAX_INCLUDE_DEPTH = 12;
const LOOKUP_TERM = /^[+\-~?]?(include|a|mx|ptr|exists)([:/]|$)|^redirect=/i;

export const isSpfRecord = (text: string) => /^v=spf1( |$)/i.test(text);

/** The one SPF record of `domain` (RFC 7208 §4.5: none or several is "no usable policy"). */
async function spfRecord(dns: DnsResolver, domain: string): Promise<string | null> {
  const records = (await dns.txt(domain)).filter(isSpfRecord);
  return records.length === 1 ? records[0] : null;
}

function terms(record: string): string[] {
  return record.split(/\s+/).slice(1).filter(Boolean);
}

/** DNS-querying terms of the record and everything it includes or redirects to. */
export async function countSpfLookups(dns: DnsResolver, record: string, depth = 0): Promise<number> {
  if (depth > MAX_INCLUDE_DEPTH) return Infinity;
  let count = 0;
  for (const term of terms(record)) {
    if (!LOOKUP_TERM.test(term)) continue;
    count++;
    const target = /^[+\-~?]?include:(.+)$/i.exec(term)?.[1] ?? /^redirect=(.+)$/i.exec(term)?.[1];
    if (target && !target.includes('%')) {
      const child = await spfRecord(dns, target);
      if (child) count += await countSpfLookups(dns, child, depth + 1);
    }
    if (count > SPF_LOOKUP_LIMIT) return count;
  }
  return count;
}

/**
 * Whether `record` (of `domain`) gives `ip` a pass (RFC 7208 §5): the first matching mechanism
 * decides; `redirect=` applies when none matches. Macros (§7) are not expanded: a term using
 * one never matches here, so the check errs towards "not authorized".
 */
export async function spfPasses(dns: DnsResolver, domain: string, record: string, ip: string, depth = 0): Promise<boolean> {
  if (depth > MAX_INCLUDE_DEPTH) return false;
  const address = ipaddr.process(ip);
  let redirect: string | undefined;
  for (const term of terms(record)) {
    if (/^redirect=/i.test(term)) redirect = term.slice('redirect='.length);
    if (term.includes('=') || term.includes('%')) continue;
    const qualifier = /^[+\-~?]/.test(term) ? term[0] : '+';
    if (await mechanismMatches(dns, domain, term.replace(/^[+\-~?]/, ''), address, depth)) return qualifier === '+';
  }
  if (!redirect || redirect.includes('%')) return false;
  const target = await spfRecord(dns, redirect);
  return target !== null && spfPasses(dns, redirect, target, ip, depth + 1);
}

async function mechanismMatches(dns: DnsResolver, domain: string, term: string, address: ipaddr.IPv4 | ipaddr.IPv6, depth: number): Promise<boolean> {
  const name = /^[a-z0-9]+/i.exec(term)?.[0].toLowerCase();
  switch (name) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6': {
      const range = term.slice(4);
      return inCidr(address, range.includes('/') ? range : `${range}/${address.kind() === 'ipv4' ? 32 : 128}`);
    }
    case 'include': {
      const target = term.slice('include:'.length);
      const record = await spfRecord(dns, target);
      return record !== null && spfPasses(dns, target, record, address.toString(), depth + 1);
    }
    case 'a':
    case 'mx': {
      // a[:domain][/cidr4][//cidr6] (RFC 7208 §5.3); mx the same over the MX hosts' addresses.
      const [, host, cidr4, cidr6] = /^[a-z]+(?::([^/]+))?(?:\/(\d+))?(?:\/\/(\d+))?$/i.exec(term) ?? [];
      const target = host ?? domain;
      const hosts = name === 'a' ? [target] : (await dns.mx(target)).map((m) => m.exchange);
      const addresses = (await Promise.all(hosts.map((h) => dns.addresses(h)))).flat();
      const bits = address.kind() === 'ipv4' ? (cidr4 ?? '32') : (cidr6 ?? '128');
      return addresses.some((a) => ipaddr.process(a).kind() === address.kind() && inCidr(address, `${a}/${bits}`));
    }
    default:
      return false;
  }
}

function inCidr(address: ipaddr.IPv4 | ipaddr.IPv6, cidr: string): boolean {
  try {
    const range = ipaddr.parseCIDR(cidr);
    return range[0].kind() === address.kind() && address.match(range);
  } catch {
    return false;
  }
}
