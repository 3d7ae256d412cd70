import { discoveryDnsRecords } from './discovery-dns-records.js';
import { defaultEndpoints, type MailEndpoints } from './mail-endpoints.js';
import { paccDigestRecordValue, renderPacc } from './pacc.renderer.js';

const domain = { name: 'example.com', displayName: 'Example Mail' };
const endpoints = defaultEndpoints('mail.example.net');
const srv = (service: string, value: string) => ({ type: 'SRV', name: `${service}._tcp.example.com`, value });
const cname = (label: string) => ({ type: 'CNAME', name: `${label}.example.com`, value: 'web.example.net.' });

describe('discoveryDnsRecords', () => {
  it('publishes every service, implicit TLS before STARTTLS and IMAP before POP3, the lookup names and the PACC digest', () => {
    expect(discoveryDnsRecords(endpoints, domain, 'web.example.net')).toEqual([
      srv('_imaps', '0 1 993 mail.example.net.'),
      srv('_imap', '10 1 143 mail.example.net.'),
      srv('_pop3s', '20 1 995 mail.example.net.'),
      srv('_pop3', '30 1 110 mail.example.net.'),
      srv('_submissions', '0 1 465 mail.example.net.'),
      srv('_submission', '10 1 587 mail.example.net.'),
      cname('autoconfig'),
      cname('autodiscover'),
      cname('ua-auto-config'),
      {
        type: 'TXT',
        name: '_ua-auto-config.example.com',
        value: paccDigestRecordValue(renderPacc(endpoints, domain)!),
      },
    ]);
  });

  it('marks switched-off services with the RFC 6186 "not offered" target and keeps custom ports', () => {
    const custom: MailEndpoints = {
      ...endpoints,
      imap: { ...endpoints.imap, host: 'imap.example.net', starttls: false },
      pop3: { ...endpoints.pop3, implicitTls: false, starttls: false },
      smtp: { ...endpoints.smtp, implicitTls: false, starttlsPort: 2587 },
    };
    const records = discoveryDnsRecords(custom, domain, 'web.example.net');
    expect(records.filter((record) => record.type === 'SRV')).toEqual([
      srv('_imaps', '0 1 993 imap.example.net.'),
      srv('_imap', '0 0 0 .'),
      srv('_pop3s', '0 0 0 .'),
      srv('_pop3', '0 0 0 .'),
      srv('_submissions', '0 0 0 .'),
      srv('_submission', '10 1 2587 mail.example.net.'),
    ]);
  });

  it('publishes no PACC names when there is no PACC document', () => {
    const noImplicitTls: MailEndpoints = {
      ...endpoints,
      imap: { ...endpoints.imap, implicitTls: false },
      pop3: { ...endpoints.pop3, implicitTls: false },
      smtp: { ...endpoints.smtp, implicitTls: false },
    };
    const names = discoveryDnsRecords(noImplicitTls, domain, 'web.example.net').map((record) => record.name);
    expect(names.filter((name) => name.includes('ua-auto-config'))).toEqual([]);
    expect(names).toContain('autoconfig.example.com');
  });
});
