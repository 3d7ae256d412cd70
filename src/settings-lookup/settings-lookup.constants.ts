// Limits and fixed protocol facts of the settings lookup, in one place.

// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
export const MAX_EMAIL_LENGTH_OCTETS = 254;
// RFC 5321 §4.5.3.1.1.
export const MAX_LOCAL_PART_LENGTH_OCTETS = 64;

// A real Autodiscover request is a few hundred bytes; anything much larger is not one.
export const MAX_AUTODISCOVER_BODY_BYTES = 16 * 1024;
// The request is three levels deep; a low cap keeps deeply nested junk cheap to reject.
export const MAX_AUTODISCOVER_XML_DEPTH = 16;

// IANA-registered ports (RFC 8314 §7 for the implicit-TLS ones, RFC 6409 for submission).
export const STANDARD_PORTS = {
  imap: { implicitTls: 993, starttls: 143 },
  pop3: { implicitTls: 995, starttls: 110 },
  smtp: { implicitTls: 465, starttls: 587 },
} as const;

// RFC 2782: lower priority is tried first. RFC 8314 §5.1 prefers implicit TLS to STARTTLS,
// and RFC 6186 §3.4 has a client that speaks IMAP and POP3 compare priorities across both, so
// POP3 ranks after IMAP: the same order `serverSettings` lists them in.
export const SRV_PRIORITIES = {
  imap: { implicitTls: 0, starttls: 10 },
  pop3: { implicitTls: 20, starttls: 30 },
  smtp: { implicitTls: 0, starttls: 10 },
} as const;
// One target per service, so the weight selects nothing; 1 is what RFC 6186's examples use.
export const SRV_WEIGHT = 1;

export const CONTENT_TYPES = {
  // What Thunderbird's own ISPDB serves; the client accepts any XML type.
  autoconfig: 'text/xml; charset=utf-8',
  autodiscover: 'text/xml; charset=utf-8',
  mobileconfig: 'application/x-apple-aspen-config',
  json: 'application/json; charset=utf-8',
} as const;

// draft-ietf-mailmaint-pacc caps the provider name a client shows.
export const PACC_PROVIDER_NAME_MAX_CHARS = 60;
