import ipaddr from 'ipaddr.js';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';
import { deriveKey } from '../common/secrets.js';

export const SESSION_COOKIE = 'pm_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_TOKEN_BYTES = 32;

/** 256 random bits: a plain SHA-256 is a safe lookup hash, there is nothing to guess. */
export function newSessionToken(): { token: string; tokenHash: string } {
  const token = randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The CSRF token of a session: an HMAC of its cookie value (the signed double-submit pattern of
 * OWASP's CSRF cheat sheet). Another site can make the browser send the cookie, never read it,
 * so it cannot compute this header. Nothing to store; it changes with every new session.
 */
export function csrfTokenFor(config: Config, sessionToken: string): string {
  return createHmac('sha256', deriveKey(config, 'session-csrf')).update(sessionToken).digest('base64url');
}

export function csrfTokenMatches(config: Config, sessionToken: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const expected = Buffer.from(csrfTokenFor(config, sessionToken));
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// HttpOnly: no script reads it. SameSite=Lax: not sent on another site's POSTs. Secure, except
// where the operator allows plain HTTP (SESSION_COOKIE_SECURE=false) AND the browser is on this
// machine (loopback: development, tests) — a cookie that crosses a network always needs TLS.
function cookieOptions(config: Config, reply: FastifyReply) {
  const plainLoopback = !config.SESSION_COOKIE_SECURE && isLoopback(reply.request.ip);
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: !plainLoopback };
}

function isLoopback(ip: string): boolean {
  return ipaddr.isValid(ip) && ipaddr.process(ip).range() === 'loopback';
}

export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(config, reply), maxAge: config.SESSION_ABSOLUTE_TIMEOUT_SECONDS });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(config, reply));
}
