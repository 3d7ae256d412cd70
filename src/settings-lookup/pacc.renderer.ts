import { createHash } from 'node:crypto';
import type { MailDomain, MailEndpoints, MailProtocol } from './mail-endpoints.js';
import { PACC_PROVIDER_NAME_MAX_CHARS, STANDARD_PORTS } from './settings-lookup.constants.js';

// PACC, draft-ietf-mailmaint-pacc (an Internet-Draft, still changing). What is rendered here
// follows revision -03 as two independent implementations read it, since the draft text was
// not at hand: `protocols` maps a name to `{host}` for IMAP, POP3 and submission, with no
// port and no STARTTLS form, because PACC only allows implicit TLS on the IANA port; SMTP
// submission is keyed `submit` (revision -02 keyed it `smtp`). Re-check against the current
// revision before relying on it. Clients fetch the document from
// `https://ua-auto-config.<domain>/.well-known/user-agent-configuration.json` and accept it
// only if its SHA-256 matches the `_ua-auto-config.<domain>` TXT record, so the exact bytes
// matter: the controller must send this string unchanged.
const PACC_KEYS: Record<MailProtocol, string> = { imap: 'imap', pop3: 'pop3', smtp: 'submit' };

/** The document as its exact bytes, or null when no protocol meets PACC's implicit-TLS rule. */
export function renderPacc(endpoints: MailEndpoints, domain: MailDomain): string | null {
  const protocols: Record<string, { host: string }> = {};
  for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
    const endpoint = endpoints[protocol];
    if (endpoint.implicitTls && endpoint.implicitTlsPort === STANDARD_PORTS[protocol].implicitTls) {
      protocols[PACC_KEYS[protocol]] = { host: endpoint.host };
    }
  }
  if (Object.keys(protocols).length === 0) return null;
  const name = Array.from(domain.displayName).slice(0, PACC_PROVIDER_NAME_MAX_CHARS).join('');
  return JSON.stringify({
    protocols,
    authentication: { password: true },
    info: { provider: { name } },
  });
}

/** The `_ua-auto-config` TXT record value that vouches for exactly this document. */
export function paccDigestRecordValue(document: string): string {
  const digest = createHash('sha256').update(document, 'utf8').digest('base64');
  return `v=UAAC1; a=sha256; d=${digest}`;
}
