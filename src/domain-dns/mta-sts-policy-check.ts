import { MTA_STS_POLICY_PATH } from '../domains/mta-sts-policy.js';
import type { CheckStatus, DnsCheckRecord } from './dns-checks.js';
import { POLICY_MAX_BYTES, type PolicyFetch } from './mta-sts-policy-fetcher.js';

export interface MtaStsPolicy {
  mode: string;
  maxAge: number;
  mx: string[];
}

// RFC 8461 §3.2: max_age is 1 to 10 digits and at most 31557600 (a year).
const MAX_AGE_LIMIT_SECONDS = 31_557_600;
const MODES = ['enforce', 'testing', 'none'];
// The value is trimmed in code: a regex of its own would backtrack on long runs of blanks.
const FIELD = /^([A-Za-z0-9_.-]{1,32}):(.*)$/;

/** The policy file (RFC 8461 §3.2): CRLF lines (LF accepted), unknown fields ignored. */
export function parseMtaStsPolicy(text: string): MtaStsPolicy | { error: string } {
  const fields = new Map<string, string[]>();
  const lines = text.split(/\r?\n/);
  // Blank lines at the end are not in the grammar, but harmless: tolerated.
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const match = FIELD.exec(line);
    if (!match) return { error: `line ${i + 1} is not "key: value"` };
    fields.set(match[1], fields.get(match[1]) ?? []).get(match[1])!.push(match[2].trim());
  }
  const one = (key: string) => (fields.get(key)?.length === 1 ? fields.get(key)![0] : null);
  if (one('version') !== 'STSv1') return { error: 'no single "version: STSv1" line' };
  const mode = one('mode');
  if (!mode || !MODES.includes(mode)) return { error: 'no single "mode: enforce|testing|none" line' };
  const maxAge = one('max_age');
  if (!maxAge || !/^\d{1,10}$/.test(maxAge) || Number(maxAge) > MAX_AGE_LIMIT_SECONDS) return { error: `no single "max_age" line of 0 to ${MAX_AGE_LIMIT_SECONDS} seconds` };
  const mx = (fields.get('mx') ?? []).map((host) => host.toLowerCase());
  if (!mx.length && mode !== 'none') return { error: 'no "mx" line' };
  return { mode, maxAge: Number(maxAge), mx };
}

/** How `found` differs from `expected`, for people (mx as a set); empty when they are the same policy. */
export function policyDifferences(expected: MtaStsPolicy, found: MtaStsPolicy): string[] {
  const differences: string[] = [];
  if (found.mode !== expected.mode) differences.push(`mode ${found.mode} instead of ${expected.mode}`);
  if (found.maxAge !== expected.maxAge) differences.push(`max_age ${found.maxAge} instead of ${expected.maxAge}`);
  const wanted = [...new Set(expected.mx)].sort();
  const served = [...new Set(found.mx)].sort();
  if (wanted.join() !== served.join()) differences.push(`mx ${served.join(', ') || '(none)'} instead of ${wanted.join(', ')}`);
  return differences;
}

/**
 * The policy as a sender fetches it, against the one Postmaster serves for the domain.
 * `idCurrent`: the `_mta-sts` record announces the current policy id, so a sender that sees a
 * different policy keeps it until the id changes again or max_age passes (RFC 8461 §3.1, §8.1).
 */
export function policyRecord(host: string, webHost: string, expectedText: string, fetched: PolicyFetch, idCurrent: boolean): DnsCheckRecord {
  const url = `https://${host}${MTA_STS_POLICY_PATH}`;
  const record = (status: CheckStatus, found: string[], hint: string | null = null): DnsCheckRecord =>
    ({ check: 'mta-sts', type: 'MTA-STS', name: url, expected: expectedText, found, status, hint });
  switch (fetched.kind) {
    case 'no_address':
      return record('missing', [], `${host} has no address, so senders cannot fetch the policy. Publish CNAME ${host} → ${webHost}.`);
    case 'unreachable':
      return record('missing', [], `Senders cannot fetch the policy (${fetched.reason}). Serve ${url} over HTTPS from ${webHost}.`);
    case 'certificate': {
      const hint = fetched.names
        ? `The TLS certificate served for ${host} is for ${fetched.names.join(', ') || 'no DNS name'}, not ${host}: senders refuse the policy (RFC 8461 §3.3). Add ${host} to the certificate of ${webHost}.`
        : `The TLS certificate served for ${host} fails verification (${fetched.code}): senders refuse the policy (RFC 8461 §3.3). Serve a current certificate for ${host} from a public CA, with its chain.`;
      return record('wrong', [`certificate: ${fetched.code}`], hint);
    }
    case 'too_large':
      return record('wrong', [], `The answer is larger than ${POLICY_MAX_BYTES / 1024} KiB: senders stop reading it (RFC 8461 §3.3).`);
  }
  const { status, contentType, location, body } = fetched;
  if (status >= 300 && status < 400) {
    return record('wrong', [`HTTP ${status} → ${location ?? '?'}`], `The server redirects: senders do not follow redirects (RFC 8461 §3.3). Serve the policy at ${url} itself.`);
  }
  if (status === 404) return record('missing', [`HTTP ${status}`], `The server answers 404: it serves no policy for ${host}. Route ${host} to Postmaster with its Host header.`);
  if (status !== 200) return record('wrong', [`HTTP ${status}`], `The server answers HTTP ${status} instead of the policy.`);
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? null;
  if (mediaType !== 'text/plain') {
    return record('wrong', [`Content-Type: ${contentType ?? '(none)'}`], `The policy is served as ${contentType ?? 'no content type'}, not text/plain: senders discard it (RFC 8461 §3.3).`);
  }
  const found = parseMtaStsPolicy(body);
  if ('error' in found) return record('wrong', [body], `The file served is not a valid policy (RFC 8461 §3.2): ${found.error}.`);
  const differences = policyDifferences(parseMtaStsPolicy(expectedText) as MtaStsPolicy, found);
  if (!differences.length) return record('ok', [body]);
  const consequence = idCurrent
    ? ` The _mta-sts record already announces the current id: senders that fetch this policy keep it until the id changes again (up to max_age ${found.maxAge} s).`
    : '';
  return record('wrong', [body], `The policy served is not this domain's current policy: ${differences.join('; ')}. Something in front of Postmaster serves a stale copy.${consequence}`);
}
