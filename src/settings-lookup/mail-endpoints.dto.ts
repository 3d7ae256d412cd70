import { z } from 'zod';
import { domainName } from '../common/schemas.js';
import type { MailEndpointsData, MailEndpointsRow } from './mail-endpoints.repository.js';
import { type MailEndpoints, type MailProtocol, protocolServices } from './mail-endpoints.js';
import { STANDARD_PORTS } from './settings-lookup.constants.js';

const PROTOCOLS = ['imap', 'pop3', 'smtp'] as const;
const port = z.int().min(1).max(65535);

const protocolEndpoint = (protocol: MailProtocol) =>
  z
    .object({
      host: domainName,
      implicitTls: z.boolean().describe(`Implicit TLS (RFC 8314), port ${STANDARD_PORTS[protocol].implicitTls} by default.`),
      implicitTlsPort: port.default(STANDARD_PORTS[protocol].implicitTls),
      starttls: z.boolean().describe(`STARTTLS, port ${STANDARD_PORTS[protocol].starttls} by default.`),
      starttlsPort: port.default(STANDARD_PORTS[protocol].starttls),
    })
    .strict();

export const MailEndpointsPutDto = z
  .object({
    imap: protocolEndpoint('imap'),
    pop3: protocolEndpoint('pop3'),
    smtp: protocolEndpoint('smtp'),
    usernameForm: z.enum(['address', 'localPart']).default('address')
      .describe('What the mail services accept as the login: the full address or its local part.'),
  })
  .strict()
  .superRefine((endpoints, ctx) => {
    const issue = (path: string[], code: string, message: string) =>
      ctx.addIssue({ code: 'custom', path, message, params: { code } });
    // Clients need somewhere to read mail and somewhere to send it (a profile holds both).
    if (protocolServices(endpoints, 'imap').length + protocolServices(endpoints, 'pop3').length === 0) {
      issue(['imap'], 'service_required', 'Offer IMAP or POP3 in at least one mode.');
    }
    if (protocolServices(endpoints, 'smtp').length === 0) issue(['smtp'], 'service_required', 'Offer SMTP submission in at least one mode.');
    // One port speaks one protocol in one mode: two advertised services on it cannot both work.
    const taken = new Map<string, string>();
    for (const protocol of PROTOCOLS) {
      for (const service of protocolServices(endpoints, protocol)) {
        const field = `${protocol}.${service.encryption === 'ssl' ? 'implicitTlsPort' : 'starttlsPort'}`;
        const key = `${service.host}:${service.port}`;
        const other = taken.get(key);
        if (other) issue(field.split('.'), 'port_in_use', `${key} is already advertised as ${other}.`);
        else taken.set(key, field);
      }
    }
  });
export type MailEndpointsPutDto = z.infer<typeof MailEndpointsPutDto>;

export function toEndpoints(row: MailEndpointsRow): MailEndpoints {
  const endpoint = (protocol: MailProtocol) => ({
    host: row[`${protocol}Host`],
    implicitTls: row[`${protocol}ImplicitTls`],
    implicitTlsPort: row[`${protocol}ImplicitTlsPort`],
    starttls: row[`${protocol}Starttls`],
    starttlsPort: row[`${protocol}StarttlsPort`],
  });
  return { imap: endpoint('imap'), pop3: endpoint('pop3'), smtp: endpoint('smtp'), usernameForm: row.usernameForm };
}

export function toRow(endpoints: MailEndpoints): MailEndpointsData {
  const columns = (protocol: MailProtocol) => {
    const endpoint = endpoints[protocol];
    return {
      [`${protocol}Host`]: endpoint.host,
      [`${protocol}ImplicitTls`]: endpoint.implicitTls,
      [`${protocol}ImplicitTlsPort`]: endpoint.implicitTlsPort,
      [`${protocol}Starttls`]: endpoint.starttls,
      [`${protocol}StarttlsPort`]: endpoint.starttlsPort,
    };
  };
  return { ...columns('imap'), ...columns('pop3'), ...columns('smtp'), usernameForm: endpoints.usernameForm } as MailEndpointsData;
}

/** `updatedAt` null: nothing saved yet, MAIL_HOSTNAME on the standard ports is in effect. */
export function mailEndpointsView(endpoints: MailEndpoints, updatedAt: Date | null) {
  return { ...endpoints, updatedAt };
}
