import type { MailDomain, MailEndpoints, MailProtocol } from './mail-endpoints.js';
import { paccDigestRecordValue, renderPacc } from './pacc.renderer.js';
import { SRV_PRIORITIES, SRV_WEIGHT } from './settings-lookup.constants.js';

export interface DnsRecord {
  type: 'SRV' | 'CNAME' | 'TXT';
  /** Owner name without the trailing dot. */
  name: string;
  /** Record data as written in a zone file; host names end with a dot. */
  value: string;
}

// RFC 6186 §3 (STARTTLS services) and RFC 8314 §5.1 (implicit-TLS services).
const SERVICES: Record<MailProtocol, { implicitTls: string; starttls: string }> = {
  imap: { implicitTls: '_imaps', starttls: '_imap' },
  pop3: { implicitTls: '_pop3s', starttls: '_pop3' },
  smtp: { implicitTls: '_submissions', starttls: '_submission' },
};

// RFC 6186 §4: target "." says the service is deliberately not offered, so clients stop
// looking instead of guessing host names.
const NOT_OFFERED = '0 0 0 .';

/**
 * The records a hosted domain publishes so clients find its settings: SRV for every mail
 * service (offered or not), the autoconfig/autodiscover names pointing at the platform's
 * web host, and PACC's host name and digest.
 */
export function discoveryDnsRecords(endpoints: MailEndpoints, domain: MailDomain, webHost: string): DnsRecord[] {
  const srv = (service: string, offered: boolean, priority: number, port: number, host: string): DnsRecord => ({
    type: 'SRV',
    name: `${service}._tcp.${domain.name}`,
    value: offered ? `${priority} ${SRV_WEIGHT} ${port} ${host}.` : NOT_OFFERED,
  });
  const records = (['imap', 'pop3', 'smtp'] as const).flatMap((protocol) => {
    const endpoint = endpoints[protocol];
    const names = SERVICES[protocol];
    const priorities = SRV_PRIORITIES[protocol];
    return [
      srv(names.implicitTls, endpoint.implicitTls, priorities.implicitTls, endpoint.implicitTlsPort, endpoint.host),
      srv(names.starttls, endpoint.starttls, priorities.starttls, endpoint.starttlsPort, endpoint.host),
    ];
  });
  const cname = (label: string): DnsRecord => ({ type: 'CNAME', name: `${label}.${domain.name}`, value: `${webHost}.` });
  records.push(cname('autoconfig'), cname('autodiscover'));

  const pacc = renderPacc(endpoints, domain);
  if (pacc !== null) {
    records.push(cname('ua-auto-config'), {
      type: 'TXT',
      name: `_ua-auto-config.${domain.name}`,
      value: paccDigestRecordValue(pacc),
    });
  }
  return records;
}
