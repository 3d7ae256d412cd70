import { HOSTILE_STRINGS } from './fuzz-values.js';
import type { FuzzTenant } from './fuzz-world.js';

// The two bodies /openapi.json cannot describe as JSON: a raw message (POST /v1/messages as
// message/rfc822) and Outlook's Autodiscover request (XML). Hostile variants of each, with the
// content type each route takes.

const CRLF = '\r\n';
const LONG_LINE_CHARS = 100_000;

export function rawMessage(t: FuzzTenant, headers: Record<string, string> = {}, text = 'hello'): string {
  const all = { From: t.address, To: `someone@${t.domain}`, Subject: 'raw fuzz', ...headers };
  return Object.entries(all).map(([name, value]) => `${name}: ${value}`).join(CRLF) + CRLF + CRLF + text + CRLF;
}

export function hostileRawMessages(t: FuzzTenant): [string, string | Buffer][] {
  const variants: [string, string | Buffer][] = HOSTILE_STRINGS.map(([label, value]) => [`Subject: ${label}`, rawMessage(t, { Subject: value })]);
  variants.push(
    ['From: CR/LF', rawMessage(t, { From: `${t.address}\r\nBcc: victim@evil.test` })],
    ['To: lone surrogate', rawMessage(t, { To: 'a\ud800@example.org' })],
    ['no headers', `${CRLF}body only${CRLF}`],
    ['empty', ''],
    ['header without colon', `From ${t.address}${CRLF}${CRLF}x`],
    ['100 KB header line', rawMessage(t, { 'X-Long': 'y'.repeat(LONG_LINE_CHARS) })],
    ['bare CR line ends', rawMessage(t).replaceAll(CRLF, '\r')],
    ['invalid UTF-8 in a header', Buffer.concat([Buffer.from(`From: ${t.address}${CRLF}To: x@example.org${CRLF}Subject: `), Buffer.from([0xff, 0xed, 0xa0, 0x80]), Buffer.from(`${CRLF}${CRLF}x`)])],
    ['NUL in the body', rawMessage(t, {}, 'a\u0000b')],
    ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  );
  return variants;
}

const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

export function autodiscoverRequest(address: string, prolog = '<?xml version="1.0" encoding="utf-8"?>'): string {
  return `${prolog}<Autodiscover xmlns="${REQUEST_NS}"><Request><EMailAddress>${address}</EMailAddress>`
    + `<AcceptableResponseSchema>${RESPONSE_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`;
}

export function hostileAutodiscoverRequests(t: FuzzTenant): [string, string | Buffer][] {
  const variants: [string, string | Buffer][] = HOSTILE_STRINGS.map(([label, value]) => [`EMailAddress: ${label}`, autodiscoverRequest(value)]);
  const bomb = '<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;&x;&x;&x;&x;"><!ENTITY z "&y;&y;&y;&y;&y;&y;&y;&y;&y;&y;">]>';
  variants.push(
    ['entity expansion', autodiscoverRequest('&z;', `<?xml version="1.0"?>${bomb}`)],
    ['external entity', autodiscoverRequest('&e;', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>')],
    ['unclosed element', autodiscoverRequest(t.address).slice(0, -20)],
    ['JSON body', JSON.stringify({ EMailAddress: t.address })],
    ['empty', ''],
    ['invalid UTF-8', Buffer.concat([Buffer.from(autodiscoverRequest('a')), Buffer.from([0xff, 0xfe])])],
    ['__proto__ element', autodiscoverRequest(`${t.address}</EMailAddress><__proto__><polluted>yes</polluted></__proto__><EMailAddress>x`)],
  );
  return variants;
}
