import { OUTLOOK_RESPONSE_SCHEMA, type AutodiscoverErrorCode } from './autodiscover-request.parser.js';
import type { ParsedEmail } from './email-address.js';
import { loginName, protocolServices, type MailEndpoints, type MailProtocol } from './mail-endpoints.js';
import { escapeXml } from './xml-escape.js';

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';

// MS-OXDSCLI, ErrorCode element; the wording is Exchange's.
const ERROR_MESSAGES: Record<AutodiscoverErrorCode, string> = {
  600: 'Invalid Request',
  601: 'Provider is not available',
};

const PROTOCOL_TYPES: Record<MailProtocol, string> = { imap: 'IMAP', pop3: 'POP3', smtp: 'SMTP' };

// <Encryption> overrides <SSL> (MS-OXDSCLI, Encryption element). Outlook reads "SSL" as TLS from
// the first byte and "TLS" as STARTTLS. Swapped, every connection fails: a TLS handshake sent
// to a port that greets in plaintext, or a plaintext wait on a port expecting a handshake.
// Other servers have shipped exactly this bug.
const ENCRYPTION = { ssl: 'SSL', starttls: 'TLS' } as const;

/**
 * The Outlook POX answer (`responseschema/2006` wrapping `outlook/responseschema/2006a`).
 * One <Protocol> per type, in its preferred mode: Outlook sets up one server per protocol,
 * so a second block of the same type could only be ignored or confuse it.
 */
export function renderAutodiscoverResponse(endpoints: MailEndpoints, email: ParsedEmail): string {
  const username = loginName(endpoints, email);
  const blocks = (['imap', 'pop3', 'smtp'] as const).flatMap((protocol) => {
    const [preferred] = protocolServices(endpoints, protocol);
    if (!preferred) return [];
    return [
      '      <Protocol>',
      `        <Type>${PROTOCOL_TYPES[protocol]}</Type>`,
      `        <Server>${escapeXml(preferred.host)}</Server>`,
      `        <Port>${preferred.port}</Port>`,
      `        <LoginName>${escapeXml(username)}</LoginName>`,
      '        <DomainRequired>off</DomainRequired>',
      '        <SPA>off</SPA>',
      '        <SSL>on</SSL>',
      `        <Encryption>${ENCRYPTION[preferred.encryption]}</Encryption>`,
      '        <AuthRequired>on</AuthRequired>',
      // SMTP authenticates with its own credentials, never "POP before SMTP".
      ...(protocol === 'smtp' ? ['        <UsePOPAuth>off</UsePOPAuth>', '        <SMTPLast>off</SMTPLast>'] : []),
      '      </Protocol>',
    ];
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    `  <Response xmlns="${OUTLOOK_RESPONSE_SCHEMA}">`,
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    ...blocks,
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

/**
 * The error document Autodiscover clients expect instead of a bare HTTP error. `now` is a
 * parameter so the renderer stays pure; Exchange writes the time of day with 7 fraction digits.
 */
export function renderAutodiscoverError(errorCode: AutodiscoverErrorCode, now: Date): string {
  const time = `${now.toISOString().slice(11, 23)}0000`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    '  <Response>',
    `    <Error Time="${time}">`,
    `      <ErrorCode>${errorCode}</ErrorCode>`,
    `      <Message>${ERROR_MESSAGES[errorCode]}</Message>`,
    '      <DebugData />',
    '    </Error>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}
