import { XMLParser } from 'fast-xml-parser';
import { renderAutoconfig } from './autoconfig.renderer.js';
import { parseEmail } from './email-address.js';
import { defaultEndpoints, type MailEndpoints } from './mail-endpoints.js';
import { AUTOCONFIG_RNG, xmllint } from './xmllint.testing.js';

const domain = { name: 'example.com', displayName: 'Example Mail' };
const endpoints = defaultEndpoints('mail.example.net');
const reader = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'incomingServer' || name === 'outgoingServer',
});

const servers = (xml: string, element: 'incomingServer' | 'outgoingServer') =>
  (reader.parse(xml).clientConfig.emailProvider[element] ?? []).map((server: Record<string, string>) => [
    server['@_type'],
    server.hostname,
    server.port,
    server.socketType,
    server.authentication,
    server.username,
  ]);

describe('renderAutoconfig', () => {
  it('validates against the autoconfig RELAX NG grammar', () => {
    const result = xmllint(renderAutoconfig(endpoints, null, domain), ['--relaxng', AUTOCONFIG_RNG]);
    expect(result).toEqual({ status: 0, stderr: expect.stringContaining('validates') });
  });

  it('is caught by the grammar when a field is wrong (the validation above can fail)', () => {
    const broken = renderAutoconfig(endpoints, null, domain).replace('<port>993</port>', '<port>imaps</port>');
    expect(xmllint(broken, ['--relaxng', AUTOCONFIG_RNG]).status).not.toBe(0);
  });

  it('lists every service in order of preference with the %EMAILADDRESS% placeholder', () => {
    const xml = renderAutoconfig(endpoints, null, domain);
    const provider = reader.parse(xml).clientConfig;
    expect(provider['@_version']).toBe('1.1');
    expect(provider.emailProvider['@_id']).toBe('example.com');
    expect(provider.emailProvider.domain).toBe('example.com');
    expect(provider.emailProvider.displayName).toBe('Example Mail');
    const row = (type: string, port: string, socketType: string) =>
      [type, 'mail.example.net', port, socketType, 'password-cleartext', '%EMAILADDRESS%'];
    expect(servers(xml, 'incomingServer')).toEqual([
      row('imap', '993', 'SSL'),
      row('imap', '143', 'STARTTLS'),
      row('pop3', '995', 'SSL'),
      row('pop3', '110', 'STARTTLS'),
    ]);
    expect(servers(xml, 'outgoingServer')).toEqual([row('smtp', '465', 'SSL'), row('smtp', '587', 'STARTTLS')]);
  });

  it('uses %EMAILLOCALPART% when the login is the local part', () => {
    const xml = renderAutoconfig({ ...endpoints, usernameForm: 'localPart' }, null, domain);
    expect(servers(xml, 'incomingServer').map((server: string[]) => server[5])).toEqual(Array(4).fill('%EMAILLOCALPART%'));
  });

  it('writes the actual login when the address is known', () => {
    const email = parseEmail('alice@example.com')!;
    const local = renderAutoconfig({ ...endpoints, usernameForm: 'localPart' }, email, domain);
    expect(servers(local, 'outgoingServer').map((server: string[]) => server[5])).toEqual(['alice', 'alice']);
    const full = renderAutoconfig(endpoints, email, domain);
    expect(servers(full, 'incomingServer').map((server: string[]) => server[5])).toEqual(Array(4).fill('alice@example.com'));
  });

  it('leaves out switched-off services', () => {
    const only: MailEndpoints = {
      ...endpoints,
      imap: { ...endpoints.imap, starttls: false },
      pop3: { ...endpoints.pop3, implicitTls: false, starttls: false },
      smtp: { ...endpoints.smtp, implicitTls: false },
    };
    const xml = renderAutoconfig(only, null, domain);
    expect(servers(xml, 'incomingServer').map((server: string[]) => server.slice(0, 4))).toEqual([
      ['imap', 'mail.example.net', '993', 'SSL'],
    ]);
    expect(servers(xml, 'outgoingServer').map((server: string[]) => server.slice(0, 4))).toEqual([
      ['smtp', 'mail.example.net', '587', 'STARTTLS'],
    ]);
  });

  it("escapes <&\"'> in names and addresses and still validates", () => {
    const hostile = { name: 'example.com', displayName: `Acme <"Mail"> & 'Co'` };
    const email = parseEmail("o'neil&co@example.com")!;
    const xml = renderAutoconfig(endpoints, email, hostile);
    expect(xml).toContain('<displayName>Acme &lt;&quot;Mail&quot;&gt; &amp; &apos;Co&apos;</displayName>');
    expect(xml).toContain('<username>o&apos;neil&amp;co@example.com</username>');
    expect(xmllint(xml, ['--relaxng', AUTOCONFIG_RNG]).status).toBe(0);
    const parsed = reader.parse(xml).clientConfig.emailProvider;
    expect(parsed.displayName).toBe(hostile.displayName);
    expect(parsed.incomingServer[0].username).toBe("o'neil&co@example.com");
  });
});
