import { createHash } from 'node:crypto';
import type { ParsedEmail } from './email-address.js';
import { loginName, protocolServices, type MailDomain, type MailEndpoints } from './mail-endpoints.js';
import { escapeXml } from './xml-escape.js';

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

/**
 * Apple configuration profile with one `com.apple.mail.managed` payload, or null when the
 * endpoints offer no incoming or no outgoing service (the payload needs both). Unsigned:
 * devices show it as "Not Verified" until the controller signs it, if it ever does.
 */
export function renderMobileconfig(endpoints: MailEndpoints, email: ParsedEmail, domain: MailDomain): string | null {
  // A profile holds one incoming server, so it is the preferred IMAP one, else POP3.
  const [incoming] = [...protocolServices(endpoints, 'imap'), ...protocolServices(endpoints, 'pop3')];
  const [outgoing] = protocolServices(endpoints, 'smtp');
  if (!incoming || !outgoing) return null;

  const username = loginName(endpoints, email);
  // Installing a profile whose PayloadIdentifier is already installed replaces it, so the
  // identifiers derive from the address: a re-download updates instead of duplicating, and
  // two addresses never overwrite each other. Case is folded so `Alice@` and `alice@`, one
  // mailbox in practice, do not end up as two accounts on the device.
  const identity = email.address.toLowerCase();
  const identifierBase = `${domain.name.split('.').reverse().join('.')}.mail`;
  const profileUuid = stableUuid(`mobileconfig-profile:${identity}`);
  const payloadUuid = stableUuid(`mobileconfig-mail:${identity}`);

  const mailPayload: PlistValue = {
    EmailAccountDescription: domain.displayName,
    EmailAccountType: incoming.protocol === 'imap' ? 'EmailTypeIMAP' : 'EmailTypePOP',
    EmailAddress: email.address,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerHostName: incoming.host,
    IncomingMailServerPortNumber: incoming.port,
    // There is no STARTTLS key: UseSSL means "require TLS", and Apple Mail uses implicit
    // TLS or STARTTLS according to the port. Cleartext is never offered, so it is always on.
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: username,
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerHostName: outgoing.host,
    OutgoingMailServerPortNumber: outgoing.port,
    OutgoingMailServerUseSSL: true,
    OutgoingMailServerUsername: username,
    OutgoingPasswordSameAsIncomingPassword: true,
    PayloadDescription: `Mail account ${email.address}`,
    PayloadDisplayName: `${domain.displayName} mail`,
    PayloadIdentifier: `${identifierBase}.account.${payloadUuid}`,
    PayloadType: 'com.apple.mail.managed',
    PayloadUUID: payloadUuid,
    PayloadVersion: 1,
    PreventAppSheet: false,
    PreventMove: false,
    SMIMEEnabled: false,
  };
  const profile: PlistValue = {
    PayloadContent: [mailPayload],
    PayloadDescription: `Sets up ${email.address} in Apple Mail`,
    PayloadDisplayName: `${domain.displayName} (${email.address})`,
    PayloadIdentifier: `${identifierBase}.profile.${profileUuid}`,
    PayloadOrganization: domain.displayName,
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: profileUuid,
    PayloadVersion: 1,
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    ...plist(profile, 0),
    '</plist>',
    '',
  ].join('\n');
}

/**
 * A name-based UUID: the first 128 bits of SHA-256(name) with the version set to 8 and the
 * RFC 9562 variant, the construction of RFC 9562 Appendix B.2. Uppercase, as Apple writes them.
 */
export function stableUuid(name: string): string {
  const bytes = createHash('sha256').update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function plist(value: PlistValue, depth: number): string[] {
  const pad = '\t'.repeat(depth);
  if (typeof value === 'string') return [`${pad}<string>${escapeXml(value)}</string>`];
  if (typeof value === 'number') return [`${pad}<integer>${Math.trunc(value)}</integer>`];
  if (typeof value === 'boolean') return [`${pad}<${value}/>`];
  if (Array.isArray(value)) {
    return [`${pad}<array>`, ...value.flatMap((item) => plist(item, depth + 1)), `${pad}</array>`];
  }
  return [
    `${pad}<dict>`,
    ...Object.entries(value).flatMap(([key, item]) => [`${pad}\t<key>${escapeXml(key)}</key>`, ...plist(item, depth + 1)]),
    `${pad}</dict>`,
  ];
}
