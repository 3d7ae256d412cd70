import type { NodemailerError } from 'nodemailer';

// What one try did for one recipient, from nodemailer's answer: the SMTP reply when the server
// gave one (err.responseCode, err.response), else nodemailer's err.code for the failure.

export type AttemptOutcome = 'delivered' | 'deferred' | 'bounced';

export interface AttemptResult {
  outcome: AttemptOutcome;
  code: number | null;
  /** RFC 3463 enhanced status code, from the reply or implied by the failure. */
  enhanced: string | null;
  response: string;
  /** nodemailer's err.code when no SMTP reply was read (ECONNECTION, ETIMEDOUT, ETLS…). */
  errorCode: string | null;
}

const REPLY = /^(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3})\b)?/;

// RFC 3463 codes for failures that carry no reply of their own.
const IMPLIED_STATUS: Record<string, string> = {
  ECONNECTION: '4.4.2', // bad connection
  ESOCKET: '4.4.1', // no answer from host (refused, unreachable)
  ETIMEDOUT: '4.4.2',
  ETLS: '4.7.0', // security: the STARTTLS handshake failed
  EDNS: '4.4.3', // directory server failure
  EABORT: '4.4.7', // our own deadline: the attempt outlived its lease
};

// Failures of the request itself, not of the network: sending the same bytes again fails again.
const PERMANENT_WITHOUT_REPLY = new Set(['EENVELOPE', 'EMESSAGE', 'ESTREAM', 'EMAXRECIPIENTS']);

/**
 * STARTTLS did not give a TLS session: refused (ETLS, even with a 5yz "not recognized"), the
 * socket closed during the upgrade (ETLS), or the handshake itself failed, which nodemailer reports
 * as a socket error (ESOCKET) carrying OpenSSL's ERR_SSL_… or Node's ERR_TLS_… code.
 */
export function isTlsFailure(error: NodemailerError): boolean {
  const original = (error as NodemailerError & { originalCode?: string }).originalCode ?? '';
  return error.code === 'ETLS' || (error.code === 'ESOCKET' && /^ERR_(SSL|TLS)_/.test(original));
}

export function parseReply(text: string): { code: number | null; enhanced: string | null } {
  const match = REPLY.exec(text.trim());
  return { code: match ? Number(match[1]) : null, enhanced: match?.[2] ?? null };
}

/** One line for the log and the DSN: servers answer in several lines, and CR/LF would break headers. */
function oneLine(text: string): string {
  return text.replace(/\r?\n(\d{3}[ -])?/g, ' ').replace(/\s+/g, ' ').trim();
}

export function accepted(response: string): AttemptResult {
  const reply = parseReply(response);
  return { outcome: 'delivered', code: reply.code ?? 250, enhanced: reply.enhanced, response: oneLine(response), errorCode: null };
}

/**
 * A 5yz reply is permanent (RFC 5321 §4.2.1) except 503, a command out of sequence that a fresh
 * session does not repeat; every 4yz, and every failure without a reply (refused, dropped,
 * timed out, TLS), is temporary.
 */
export function failed(error: NodemailerError): AttemptResult {
  const response = oneLine(error.response ?? error.message);
  const reply = parseReply(error.response ?? '');
  const code = error.responseCode ?? reply.code;
  const errorCode = error.code ?? null;
  // No TLS where policy wants it: temporary, as Postfix's "TLS is required, but was not offered"
  // deferral is. Recorded as ETLS whichever way nodemailer reported it.
  if (isTlsFailure(error)) {
    const text = errorCode === 'ETLS' ? error.message : `STARTTLS handshake failed: ${error.message}`;
    return { outcome: 'deferred', code: code || null, enhanced: IMPLIED_STATUS.ETLS, response: oneLine(text), errorCode: 'ETLS' };
  }
  if (code) {
    const permanent = error.permanent ?? (code >= 500 && code !== 503);
    const enhanced = reply.enhanced ?? `${permanent ? 5 : 4}.0.0`;
    return { outcome: permanent ? 'bounced' : 'deferred', code, enhanced, response, errorCode: code >= 400 ? null : errorCode };
  }
  if (errorCode && PERMANENT_WITHOUT_REPLY.has(errorCode)) {
    return { outcome: 'bounced', code: null, enhanced: '5.0.0', response, errorCode };
  }
  return { outcome: 'deferred', code: null, enhanced: IMPLIED_STATUS[errorCode ?? ''] ?? '4.0.0', response, errorCode };
}

/** The destination itself is unusable, decided before any connection (no host, null MX). */
export function unroutable(outcome: 'deferred' | 'bounced', enhanced: string, response: string, errorCode: string | null = null): AttemptResult {
  return { outcome, code: null, enhanced, response, errorCode };
}

/**
 * Whether another MX host may do better: nothing was said about the recipients yet (refused,
 * dropped, timed out, no TLS, or a 421/4yz greeting), as RFC 5321 §5.1 asks clients to go on to
 * the next host. A reply to RCPT or DATA is the domain's answer.
 */
export function tryNextHost(error: NodemailerError): boolean {
  if (error.rejectedErrors?.length) return false;
  if (isTlsFailure(error)) return true;
  if (!error.responseCode) return !PERMANENT_WITHOUT_REPLY.has(error.code ?? '');
  return error.responseCode < 500 && ['CONN', 'EHLO', 'HELO', 'STARTTLS', 'MAIL FROM'].includes(error.command ?? 'CONN');
}
