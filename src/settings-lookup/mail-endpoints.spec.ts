import { parseEmail } from './email-address.js';
import { defaultEndpoints, serverSettings, withHostnames, type MailEndpoints } from './mail-endpoints.js';

const email = parseEmail('Alice@example.com')!;
const setting = (protocol: string, port: number, encryption: string, username = 'Alice@example.com') => ({
  protocol,
  host: 'mail.example.net',
  port,
  encryption,
  authentication: 'password-cleartext',
  username,
});

describe('defaultEndpoints', () => {
  it('switches every protocol on, on the standard ports, with the full address as login', () => {
    const endpoint = (implicitTlsPort: number, starttlsPort: number) => ({
      host: 'mail.example.net',
      implicitTls: true,
      starttls: true,
      implicitTlsPort,
      starttlsPort,
    });
    expect(defaultEndpoints('mail.example.net')).toEqual({
      imap: endpoint(993, 143),
      pop3: endpoint(995, 110),
      smtp: endpoint(465, 587),
      usernameForm: 'address',
    });
  });
});

describe('serverSettings', () => {
  it('lists implicit TLS before STARTTLS, IMAP before POP3, and never cleartext', () => {
    expect(serverSettings(defaultEndpoints('mail.example.net'), email)).toEqual({
      incoming: [
        setting('imap', 993, 'ssl'),
        setting('imap', 143, 'starttls'),
        setting('pop3', 995, 'ssl'),
        setting('pop3', 110, 'starttls'),
      ],
      outgoing: [setting('smtp', 465, 'ssl'), setting('smtp', 587, 'starttls')],
    });
  });

  it('omits a protocol with both modes off and a single mode that is off', () => {
    const defaults = defaultEndpoints('mail.example.net');
    const endpoints: MailEndpoints = {
      ...defaults,
      imap: { ...defaults.imap, implicitTls: false },
      pop3: { ...defaults.pop3, implicitTls: false, starttls: false },
      smtp: { ...defaults.smtp, starttls: false },
    };
    expect(serverSettings(endpoints, email)).toEqual({
      incoming: [setting('imap', 143, 'starttls')],
      outgoing: [setting('smtp', 465, 'ssl')],
    });
  });

  it('uses the configured ports and the local part as login when so configured', () => {
    const defaults = defaultEndpoints('mail.example.net');
    const endpoints: MailEndpoints = {
      ...defaults,
      pop3: { ...defaults.pop3, implicitTls: false, starttls: false },
      smtp: { ...defaults.smtp, implicitTlsPort: 10465, starttlsPort: 10587 },
      usernameForm: 'localPart',
    };
    expect(serverSettings(endpoints, email)).toEqual({
      incoming: [setting('imap', 993, 'ssl', 'Alice'), setting('imap', 143, 'starttls', 'Alice')],
      outgoing: [setting('smtp', 10465, 'ssl', 'Alice'), setting('smtp', 10587, 'starttls', 'Alice')],
    });
  });
});

describe('withHostnames', () => {
  const defaults = defaultEndpoints('mail.example.net');
  const hosts = (endpoints: MailEndpoints) => [endpoints.imap.host, endpoints.pop3.host, endpoints.smtp.host];

  it('lets a domain override its reseller, which overrides the platform, protocol by protocol', () => {
    const reseller = { imap: 'imap.reseller.example', smtp: 'smtp.reseller.example', pop3: null };
    const domain = { smtp: 'mail.customer.example' };
    const endpoints = withHostnames(defaults, reseller, domain);
    expect(hosts(endpoints)).toEqual(['imap.reseller.example', 'mail.example.net', 'mail.customer.example']);
    expect(endpoints.smtp).toEqual({ ...defaults.smtp, host: 'mail.customer.example' });
    expect(endpoints.usernameForm).toBe('address');
  });

  it('changes nothing without overrides and leaves the input untouched', () => {
    expect(withHostnames(defaults)).toEqual(defaults);
    withHostnames(defaults, { imap: 'other.example' });
    expect(defaults.imap.host).toBe('mail.example.net');
  });
});
