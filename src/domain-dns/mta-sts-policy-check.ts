import type { MTASTSPolicy } from 'mailauth';
import { parsePolicy, validateMx } from 'mailauth/lib/mta-sts.js';
import { MTA_STS_POLICY_PATH } from '../domains/mta-sts-policy.js';
import type { CheckStatus, DnsCheckRecord } from './dns-checks.js';
import { POLICY_MAX_BYTES, type PolicyFetch } from './mta-sts-policy-fetcher.js';

export interface MtaStsPolicy {
  mode: 'enforce' | 'testing' | 'none';
  maxAge: number;
  mx: string[];
}

// RFC 8461 §3.2: max_age is 1 to 10 digits and at most 31557600 (a year).
const MAX_AGE_LIMIT_SECONDS = 31_557_600;
const MAX_AGE = /^\d{1,10}$/;
// mailauth's parser takes a missing mode as "none", the last of repeated fields and Number() of
// max_age (so "" is 0 and "1e3" is 1000); the grammar allows none of it, and senders built on
// other parsers refuse such files. Each of these fields must appear exactly once.
const SINGLE_FIELDS = ['version', 'mode', 'max_age'];
const PARSE_ERRORS: Record<string, string> = {
  invalid_sts_version: 'no "version: STSv1" line',
  invalid_sts_mode: 'no "mode: enforce|testing|none" line',
  invalid_sts_max_age: `no "max_age" line of 0 to ${MAX_AGE_LIMIT_SECONDS} seconds`,
  invalid_sts_mx: 'no "mx" line',
};
const MISSING_FIELD: Record<string, string> = {
  version: PARSE_ERRORS.invalid_sts_version, mode: PARSE_ERRORS.invalid_sts_mode, max_age: PARSE_ERRORS.invalid_sts_max_age,
};

/**
 * The policy file (RFC 8461 §3.2) as mailauth's parser reads it for senders (CRLF or LF lines,
 * unknown fields and lines without a colon ignored, mx lower-cased), with the grammar's limits
 * it does not check. (The fetch itself stays in mta-sts-policy-fetcher.ts: mailauth's has no
 * size bound and reports no certificate detail.)
 */
export function parseMtaStsPolicy(text: string): MtaStsPolicy | { error: string } {
  const fields = text.split(/\r?\n/).filter((l) => l.includes(':'))
    .map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
  const count = (name: string) => fields.filter(([key]) => key === name).length;
  const repeated = SINGLE_FIELDS.find((name) => count(name) > 1);
  if (repeated) return { error: `more than one "${repeated}" line` };
  const missing = SINGLE_FIELDS.find((name) => count(name) === 0);
  if (missing) return { error: MISSING_FIELD[missing] };
  let policy: MTASTSPolicy;
  try {
    policy = parsePolicy(text);
  } catch (error) {
    return { error: PARSE_ERRORS[(error as { code?: string }).code ?? ''] ?? (error as Error).message };
  }
  if (!MAX_AGE.test(fields.find(([key]) => key === 'max_age')![1])) return { error: PARSE_ERRORS.invalid_sts_max_age };
  return { mode: policy.mode, maxAge: policy.maxAge!, mx: policy.mx ?? [] };
}

/**
 * Whether a sender applying `policy` accepts the MX host `host` (RFC 8461 §4.1), by mailauth's
 * matching, except that a wildcard covers exactly one label: mailauth lets "*.example.net"
 * match any depth below example.net.
 */
export function policyCoversMx(policy: MtaStsPolicy, host: string): boolean {
  const result = validateMx(host, { ...policy, mode: 'enforce' });
  if (!result.valid) return false;
  const pattern = result.match ?? '';
  return !pattern.startsWith('.') || host.split('.').length === pattern.split('.').length;
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
  const expected = parseMtaStsPolicy(expectedText) as MtaStsPolicy;
  const differences = policyDifferences(expected, found);
  if (!differences.length) return record('ok', [body]);
  const uncovered = found.mode === 'enforce' ? expected.mx.filter((mx) => !policyCoversMx(found, mx)) : [];
  const refusal = uncovered.length ? ` Senders that apply it refuse to deliver to ${uncovered.join(', ')}: none of its mx lines matches (RFC 8461 §4.1).` : '';
  const consequence = idCurrent
    ? ` The _mta-sts record already announces the current id: senders that fetch this policy keep it until the id changes again (up to max_age ${found.maxAge} s).`
    : '';
  return record('wrong', [body], `The policy served is not this domain's current policy: ${differences.join('; ')}. Something in front of Postmaster serves a stale copy.${refusal}${consequence}`);
}
