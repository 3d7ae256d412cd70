import { z } from 'zod';
import { domainName } from '../common/schemas.js';
import type { MailProtocol } from './mail-endpoints.js';

// The `mailHostnames` field of resellers and domains: the names their customers are told to use
// (`mail.customer.example`) instead of the platform's. Only names: the mail services, their
// ports and their TLS modes are shared. A name must be on the mail servers' certificates, which
// GET /v1/mail-services/status checks.

/** The three nullable columns a reseller or domain row carries. */
export interface HostnameColumns {
  imapHostname: string | null;
  pop3Hostname: string | null;
  smtpHostname: string | null;
}

const COLUMNS: Record<MailProtocol, keyof HostnameColumns> = {
  imap: 'imapHostname',
  pop3: 'pop3Hostname',
  smtp: 'smtpHostname',
};

export const MailHostnamesDto = z
  .object({
    imap: domainName.nullable(),
    pop3: domainName.nullable(),
    smtp: domainName.nullable(),
  })
  .partial()
  .strict()
  .describe('Host names advertised instead of the platform\'s, per protocol; null removes one, an omitted one is unchanged.');
export type MailHostnamesDto = z.infer<typeof MailHostnamesDto>;

/** The API form, also the overrides `withHostnames` applies. */
export function mailHostnamesView(row: HostnameColumns): Record<MailProtocol, string | null> {
  return { imap: row.imapHostname, pop3: row.pop3Hostname, smtp: row.smtpHostname };
}

/** The columns a PATCH changes: only the protocols it names. */
export function hostnameColumns(dto: MailHostnamesDto | undefined): Partial<HostnameColumns> {
  const columns: Partial<HostnameColumns> = {};
  for (const [protocol, column] of Object.entries(COLUMNS) as [MailProtocol, keyof HostnameColumns][]) {
    if (dto?.[protocol] !== undefined) columns[column] = dto[protocol];
  }
  return columns;
}
