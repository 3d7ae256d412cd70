import { spf } from 'mailauth/lib/spf/index.js';
import { DnsLookupError, type DnsResolver } from '../dns/dns-resolver.js';

// RFC 7208 §4.6.4, enforced inside mailauth's evaluation (lib/spf/index.js, limitedResolver):
// at most 10 terms that query DNS (include, a, mx, ptr, exists, redirect; includes and
// redirects counted through), at most 2 lookups that find nothing, and at most 10 address
// lookups for the hosts one mx (or ptr) term names. Exceeding any of them is a permerror.
export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LOOKUP_LIMIT = 2;
// §4.6.4 lets a verifier bound the whole evaluation (receivers use at least 20 s). Running out
// here is "could not tell" (a DnsLookupError, so 503), never a verdict on the record, so a
// shorter bound keeps a DNS check short without misjudging a slow but valid chain.
export const SPF_EVALUATION_TIMEOUT_MS = 10_000;
// mailauth names the verifying host in its comments; ours is stripped from `reason` anyway.
const VERIFIER_NAME = 'postmaster';
// mailauth's texts for the two §4.6.4 limits (4.13.3, lib/spf/index.js).
const TOO_MANY_LOOKUPS = 'Too many DNS requests';
const TOO_MANY_VOID_LOOKUPS = 'Too many void DNS results';

export const isSpfRecord = (text: string) => /^v=spf1( |$)/i.test(text);

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export interface SpfEvaluation {
  result: SpfResult;
  /** mailauth's explanation of an error result, e.g. "Too many DNS requests"; '' otherwise. */
  reason: string;
  /** Which §4.6.4 limit made the result a permerror: the 10 terms, the 2 void lookups, or one mx/ptr term's hosts. */
  limit: 'lookups' | 'void_lookups' | 'mx_hosts' | null;
  /** DNS-querying terms evaluated (the record's own TXT not counted), and how many found nothing. */
  lookups: number;
  voidLookups: number;
}

/** The evaluation ran out of SPF_EVALUATION_TIMEOUT_MS: a DNS failure of sorts, not a verdict. */
export class SpfTimeoutError extends DnsLookupError {
  constructor(domain: string, timeoutMs: number) {
    super('ETIMEOUT', domain, 'SPF');
    this.message = `SPF evaluation of ${domain} did not finish within ${timeoutMs} ms`;
  }
}

/**
 * check_host() (RFC 7208 §4) of `ip` for mail from postmaster@`domain`, by mailauth, every
 * query through our DnsResolver (so DNS_SERVERS applies). Macros (§7) and ptr are evaluated.
 * A DNS failure that decides the result (temperror) is thrown as the DnsLookupError it was, so
 * that "could not ask" never reads as a verdict; so is running out of `timeoutMs`.
 */
export async function evaluateSpf(dns: DnsResolver, domain: string, ip: string, timeoutMs = SPF_EVALUATION_TIMEOUT_MS): Promise<SpfEvaluation> {
  const deadline = Date.now() + timeoutMs;
  let failure: DnsLookupError | undefined;
  const resolver = async (name: string, type: string) => {
    // Stops issuing queries once the time is up; the race below ends the wait at once.
    if (Date.now() >= deadline) throw asSpfError(new SpfTimeoutError(domain, timeoutMs));
    let answers: unknown[];
    try {
      answers = await dns.resolve(name, type);
    } catch (error) {
      if (error instanceof DnsLookupError) failure ??= error;
      throw asSpfError(error as Error);
    }
    // mailauth counts void lookups from node:dns's "no data" error, which DnsResolver turns into [].
    if (!answers.length) throw Object.assign(new Error(`no ${type} records at ${name}`), { code: 'ENODATA' });
    return answers as string[];
  };

  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SpfTimeoutError(domain, timeoutMs)), timeoutMs);
  });
  const sender = `postmaster@${domain}`;
  try {
    const outcome = await Promise.race([spf({ sender, ip, helo: domain, mta: VERIFIER_NAME, resolver }), timeUp]);
    const result = outcome.status.result as SpfResult;
    if (result === 'temperror' && failure) throw failure;
    if (result === 'temperror' && Date.now() >= deadline) throw new SpfTimeoutError(domain, timeoutMs);
    // mailauth's comment: "<verifier>: … during lookup of <sender>: <reason>", the reason only on errors.
    const comment = outcome.status.comment ?? '';
    const at = comment.indexOf(`${sender}: `);
    const reason = at >= 0 && (result === 'permerror' || result === 'temperror') ? comment.slice(at + sender.length + 2) : '';
    const lookups = outcome.lookups?.count ?? 0;
    const limit = reason === TOO_MANY_VOID_LOOKUPS ? 'void_lookups'
      // The main count stays within the limit when the sub-lookups of one mx or ptr term broke theirs.
      : reason === TOO_MANY_LOOKUPS ? (lookups > SPF_LOOKUP_LIMIT ? 'lookups' : 'mx_hosts')
      : null;
    return { result, reason, limit, lookups, voidLookups: outcome.lookups?.void ?? 0 };
  } finally {
    clearTimeout(timer);
  }
}

/** mailauth ends an evaluation on an error carrying `spfResult` (without it, an include swallows the error). */
function asSpfError(error: Error): Error {
  return Object.assign(error, { spfResult: { error: 'temperror', text: error.message } });
}
