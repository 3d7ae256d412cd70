import type { ParsedEmail } from './email-address.js';
import {
  incomingServices,
  loginName,
  outgoingServices,
  type MailDomain,
  type MailEndpoints,
  type MailService,
} from './mail-endpoints.js';
import { escapeXml } from './xml-escape.js';

// Thunderbird substitutes these itself when the document is fetched without an address
// (the `/.well-known/autoconfig/...` form, which clients may request without a query).
const PLACEHOLDERS = { address: '%EMAILADDRESS%', localPart: '%EMAILLOCALPART%' } as const;

const SOCKET_TYPES = { ssl: 'SSL', starttls: 'STARTTLS' } as const;

/**
 * Thunderbird autoconfig `config-v1.1.xml` (draft-ietf-mailmaint-autoconfig). Servers are
 * listed in order of preference: clients take the first one they can use.
 */
export function renderAutoconfig(endpoints: MailEndpoints, email: ParsedEmail | null, domain: MailDomain): string {
  const username = email ? loginName(endpoints, email) : PLACEHOLDERS[endpoints.usernameForm];
  const server = (element: 'incomingServer' | 'outgoingServer', service: MailService): string[] => [
    `    <${element} type="${service.protocol}">`,
    `      <hostname>${escapeXml(service.host)}</hostname>`,
    `      <port>${service.port}</port>`,
    `      <socketType>${SOCKET_TYPES[service.encryption]}</socketType>`,
    '      <authentication>password-cleartext</authentication>',
    `      <username>${escapeXml(username)}</username>`,
    `    </${element}>`,
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${escapeXml(domain.name)}">`,
    `    <domain>${escapeXml(domain.name)}</domain>`,
    `    <displayName>${escapeXml(domain.displayName)}</displayName>`,
    `    <displayShortName>${escapeXml(domain.displayName)}</displayShortName>`,
    ...incomingServices(endpoints).flatMap((service) => server('incomingServer', service)),
    ...outgoingServices(endpoints).flatMap((service) => server('outgoingServer', service)),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}
