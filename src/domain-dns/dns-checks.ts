import { dkimRecordKey } from '../dkim/dkim-record.js';
import type { DkimRecordView } from '../dkim/dkim-keys.service.js';
import type { DnsResolver } from '../dns/dns-resolver.js';
import type { DnsRecord } from '../settings-lookup/discovery-dns-records.js';
import { isDmarcRecord, parseDmarc } from './dmarc-record.js';
import { policyRecord } from './mta-sts-policy-check.js';
import type { MtaStsPolicyFetcher } from './mta-sts-policy-fetcher.js';
import { SPF_LOOKUP_LIMIT, SPF_VOID_LOOKUP_LIMIT, type SpfEvaluation, evaluateSpf, isSpfRecord } from './spf-evaluation.js';

export type CheckStatus = 'ok' | 'missing' | 'wrong';

/** One line of GET /v1/domains/{id}/dns-check. */
export interface DnsCheckRecord {
  /** What the record is for: mx, spf, dkim, dmarc, mta-sts, tls-rpt, discovery. */
  check: string;
  type: string;
  name: string;
  expected: string;
  found: string[];
  status: CheckStatus;
  hint: string | null;
  /** DMARC only: the published policy. */
  policy?: string;
}

export interface CheckContext {
  domain: string;
  mxHosts: string[];
  /** The platform's outbound addresses the SPF record must pass. */
  senders: string[];
  spfExpected: string;
  dkim: DkimRecordView[];
  discovery: DnsRecord[];
  /** `policy`: the text Postmaster serves at https://mta-sts.<domain>/.well-known/mta-sts.txt. */
  mtaSts: { policyId: string; webHost: string; policy: string } | null;
}

const line = (check: string, type: string, name: string, expected: string, found: string[], status: CheckStatus, hint: string | null = null): DnsCheckRecord =>
  ({ check, type, name, expected, found, status, hint });
const bare = (host: string) => host.toLowerCase().replace(/\.$/, '');

export async function checkMx(dns: DnsResolver, ctx: CheckContext): Promise<DnsCheckRecord> {
  const found = (await dns.mx(ctx.domain)).sort((a, b) => a.priority - b.priority).map((m) => `${m.priority} ${m.exchange}.`);
  const expected = ctx.mxHosts.map((host, i) => `${10 * (i + 1)} ${host}.`).join(', ');
  if (!found.length) return line('mx', 'MX', ctx.domain, expected, found, 'missing', `Publish MX records pointing at ${ctx.mxHosts.join(', ')}.`);
  const foreign = found.map((f) => bare(f.split(' ')[1])).filter((host) => !ctx.mxHosts.includes(host));
  if (foreign.length) return line('mx', 'MX', ctx.domain, expected, found, 'wrong', `Mail for this domain also goes to ${foreign.join(', ')}, which are not this platform's hosts.`);
  return line('mx', 'MX', ctx.domain, expected, found, 'ok');
}

// RFC 3849's documentation prefix: no record lists it, so its evaluation walks every term up to
// "all" and meets the limits receivers apply to every other sender the domain's mail comes from.
const UNLISTED_SENDER = '2001:db8::1';

export async function checkSpf(dns: DnsResolver, ctx: CheckContext): Promise<DnsCheckRecord> {
  const found = (await dns.txt(ctx.domain)).filter(isSpfRecord);
  const spf = (status: CheckStatus, hint: string | null = null) => line('spf', 'TXT', ctx.domain, ctx.spfExpected, found, status, hint);
  if (!found.length) return spf('missing', `Publish one TXT record "${ctx.spfExpected}".`);
  if (found.length > 1) return spf('wrong', `${found.length} SPF records: receivers treat that as an error (RFC 7208 §4.5). Merge them into one.`);
  const [unlisted, ...senders] = await Promise.all([UNLISTED_SENDER, ...ctx.senders].map((ip) => evaluateSpf(dns, ctx.domain, ip)));
  const broken = [unlisted, ...senders].find((e) => e.result === 'permerror');
  if (broken) return spf('wrong', spfErrorHint(broken));
  const term = ctx.spfExpected.split(' ')[1];
  // Outbound addresses unknown (not configured, not resolvable): the expected term must be there.
  if (!ctx.senders.length && !found[0].toLowerCase().split(/\s+/).includes(term.toLowerCase())) return spf('wrong', `The record does not contain "${term}".`);
  const refused = ctx.senders.find((_, i) => senders[i].result !== 'pass');
  if (refused) return spf('wrong', `The record does not authorize ${refused}, an address this platform sends from. Add "${term}".`);
  return spf('ok');
}

function spfErrorHint(evaluation: SpfEvaluation): string {
  switch (evaluation.limit) {
    case 'lookups':
      return `The record needs more than ${SPF_LOOKUP_LIMIT} DNS lookups (include, a, mx, ptr, exists, redirect counted through), which receivers treat as an error (RFC 7208 §4.6.4). Flatten or drop includes.`;
    case 'void_lookups':
      return `More than ${SPF_VOID_LOOKUP_LIMIT} of the record's DNS lookups find nothing (names that do not exist or have no address), which receivers treat as an error (RFC 7208 §4.6.4). Remove the terms naming them.`;
    case 'mx_hosts':
      return `An mx or ptr term leads to more than ${SPF_LOOKUP_LIMIT} host names, which receivers treat as an error (RFC 7208 §4.6.4). List those senders with ip4:/ip6: instead.`;
    default:
      return `Receivers cannot evaluate the record (RFC 7208 permerror): ${evaluation.reason}.`;
  }
}

export async function checkDkim(dns: DnsResolver, ctx: CheckContext): Promise<DnsCheckRecord[]> {
  return Promise.all(ctx.dkim.filter((k) => k.state !== 'retired').map(async (key) => {
    const found = await dns.txt(key.name);
    const wanted = dkimRecordKey(key.value)!;
    const published = found.map(dkimRecordKey);
    const dkim = (status: CheckStatus, hint: string | null = null) => line('dkim', 'TXT', key.name, key.value, found, status, hint);
    if (published.some((p) => p?.publicKey === wanted.publicKey && p.algorithm === wanted.algorithm)) return dkim('ok');
    const waiting = key.state === 'next' ? ' Signing switches to this selector once the record is published.' : '';
    if (!published.some(Boolean)) return dkim('missing', `Publish the TXT record shown for selector ${key.selector}.${waiting}`);
    return dkim('wrong', `The published key is not selector ${key.selector}'s key: receivers would fail every signature. Publish the value shown.${waiting}`);
  }));
}

export async function checkDmarc(dns: DnsResolver, ctx: CheckContext): Promise<DnsCheckRecord> {
  const name = `_dmarc.${ctx.domain}`;
  const expected = `v=DMARC1; p=quarantine; rua=mailto:postmaster@${ctx.domain}`;
  const found = (await dns.txt(name)).filter(isDmarcRecord);
  if (!found.length) return line('dmarc', 'TXT', name, expected, found, 'missing', `Publish a DMARC policy, e.g. "${expected}".`);
  if (found.length > 1) return line('dmarc', 'TXT', name, expected, found, 'wrong', `${found.length} DMARC records: receivers ignore them all (RFC 7489 §6.6.3). Keep one.`);
  const parsed = parseDmarc(found[0]);
  if ('error' in parsed) return line('dmarc', 'TXT', name, expected, found, 'wrong', `The record ${parsed.error}.`);
  const hint = parsed.policy === 'none' ? 'Policy p=none: receivers only report, nothing is quarantined or rejected.' : null;
  return { ...line('dmarc', 'TXT', name, expected, found, 'ok', hint), policy: parsed.policy };
}

/** The `_mta-sts` TXT, where `mta-sts.<domain>` points, and the policy file as senders fetch it. */
export async function checkMtaSts(dns: DnsResolver, fetcher: MtaStsPolicyFetcher, ctx: CheckContext): Promise<DnsCheckRecord[]> {
  if (!ctx.mtaSts) return [];
  const name = `_mta-sts.${ctx.domain}`;
  const expected = `v=STSv1; id=${ctx.mtaSts.policyId}`;
  const found = (await dns.txt(name)).filter((t) => /^v=STSv1\s*(;|$)/.test(t));
  const ids = found.map((t) => /(?:^|;)\s*id=([A-Za-z0-9]{1,32})\s*(;|$)/.exec(t)?.[1]);
  const txt = found.length === 0 ? line('mta-sts', 'TXT', name, expected, found, 'missing', `Publish TXT "${expected}".`)
    : found.length > 1 ? line('mta-sts', 'TXT', name, expected, found, 'wrong', 'Several MTA-STS records: senders ignore them all (RFC 8461 §3.1). Keep one.')
    : ids[0] !== ctx.mtaSts.policyId ? line('mta-sts', 'TXT', name, expected, found, 'wrong', `The id is not the current policy's (${ctx.mtaSts.policyId}): senders keep a stale policy. Publish the value shown.`)
    : line('mta-sts', 'TXT', name, expected, found, 'ok');
  const policyHost = `mta-sts.${ctx.domain}`;
  const host = await checkPointsAt(dns, 'mta-sts', policyHost, ctx.mtaSts.webHost, 'so senders can fetch the policy');
  const policy = policyRecord(policyHost, ctx.mtaSts.webHost, ctx.mtaSts.policy, await fetcher.fetch(policyHost), txt.status === 'ok');
  return [txt, host, policy];
}

export async function checkTlsRpt(dns: DnsResolver, ctx: CheckContext): Promise<DnsCheckRecord> {
  const name = `_smtp._tls.${ctx.domain}`;
  const expected = `v=TLSRPTv1; rua=mailto:postmaster@${ctx.domain}`;
  const found = (await dns.txt(name)).filter((t) => /^v=TLSRPTv1\s*(;|$)/.test(t));
  if (!found.length) return line('tls-rpt', 'TXT', name, expected, found, 'missing', `Publish TXT "${expected}" to receive TLS failure reports (RFC 8460).`);
  if (found.length > 1) return line('tls-rpt', 'TXT', name, expected, found, 'wrong', 'Several TLS-RPT records: senders ignore them all (RFC 8460 §3). Keep one.');
  if (!/(^|;)\s*rua=(mailto:|https:)[^;\s]+/.test(found[0])) return line('tls-rpt', 'TXT', name, expected, found, 'wrong', 'The record needs rua=mailto:… or rua=https://….');
  return line('tls-rpt', 'TXT', name, expected, found, 'ok');
}

/** The SRV, CNAME and TXT records of the settings lookup (src/settings-lookup/discovery-dns-records.ts). */
export async function checkDiscovery(dns: DnsResolver, ctx: CheckContext): Promise<DnsCheckRecord[]> {
  return Promise.all(ctx.discovery.map(async (record) => {
    if (record.type === 'CNAME') return checkPointsAt(dns, 'discovery', record.name, bare(record.value), 'so mail clients find their settings');
    const found = record.type === 'SRV'
      ? (await dns.srv(record.name)).map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name ? `${bare(s.name)}.` : '.'}`)
      : await dns.txt(record.name);
    const status: CheckStatus = found.includes(record.value) ? 'ok' : found.length ? 'wrong' : 'missing';
    const hint = status === 'ok' ? null : `Publish ${record.type} ${record.name} "${record.value}"${found.length ? ' instead of what is there' : ''}.`;
    return line('discovery', record.type, record.name, record.value, found, status, hint);
  }));
}

/** A host name that must lead to `target`: by CNAME, or by the same addresses. */
async function checkPointsAt(dns: DnsResolver, check: string, name: string, target: string, why: string): Promise<DnsCheckRecord> {
  const cnames = await dns.cname(name);
  const expected = `${target}.`;
  if (cnames.length) {
    const status = cnames.some((c) => bare(c) === target) ? 'ok' : 'wrong';
    return line(check, 'CNAME', name, expected, cnames.map((c) => `${bare(c)}.`), status, status === 'ok' ? null : `Point ${name} at ${target} ${why}.`);
  }
  const [own, targets] = await Promise.all([dns.addresses(name), dns.addresses(target)]);
  if (!own.length) return line(check, 'CNAME', name, expected, [], 'missing', `Publish CNAME ${name} → ${target} ${why}.`);
  const same = own.length === targets.length && own.every((a) => targets.includes(a));
  return line(check, 'CNAME', name, expected, own, same ? 'ok' : 'wrong', same ? null : `${name} has addresses of another host: point it at ${target} ${why}.`);
}
