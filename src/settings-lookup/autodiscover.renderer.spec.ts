import { XMLParser } from 'fast-xml-parser';
import { renderAutodiscoverError, renderAutodiscoverResponse } from './autodiscover.renderer.js';
import { parseEmail } from './email-address.js';
import { defaultEndpoints, type MailEndpoints } from './mail-endpoints.js';
import { xmllint } from './xmllint.testing.js';

const endpoints = defaultEndpoints('mail.example.net');
const email = parseEmail('alice@example.com')!;
const reader = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'Protocol' });

const protocols = (xml: string) => reader.parse(xml).Autodiscover.Response.Account.Protocol as Record<string, string>[];
const connection = (xml: string) => protocols(xml).map((p) => [p.Type, p.Server, p.Port, p.Encryption]);
const starttlsOnly = (e: MailEndpoints): MailEndpoints => ({
  ...e,
  imap: { ...e.imap, implicitTls: false },
  pop3: { ...e.pop3, implicitTls: false },
  smtp: { ...e.smtp, implicitTls: false },
});

describe('renderAutodiscoverResponse', () => {
  it('is well-formed and in the Outlook 2006a response schema', () => {
    const xml = renderAutodiscoverResponse(endpoints, email);
    expect(xmllint(xml).status).toBe(0);
    const root = reader.parse(xml).Autodiscover;
    expect(root['@_xmlns']).toBe('http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006');
    expect(root.Response['@_xmlns']).toBe('http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a');
    expect(root.Response.Account.AccountType).toBe('email');
    expect(root.Response.Account.Action).toBe('settings');
  });

  it('offers one block per protocol in its preferred mode, implicit TLS as SSL', () => {
    const xml = renderAutodiscoverResponse(endpoints, email);
    expect(connection(xml)).toEqual([
      ['IMAP', 'mail.example.net', '993', 'SSL'],
      ['POP3', 'mail.example.net', '995', 'SSL'],
      ['SMTP', 'mail.example.net', '465', 'SSL'],
    ]);
    for (const block of protocols(xml)) {
      expect(block).toMatchObject({ LoginName: 'alice@example.com', DomainRequired: 'off', SPA: 'off', SSL: 'on', AuthRequired: 'on' });
    }
    expect(protocols(xml)[2]).toMatchObject({ UsePOPAuth: 'off', SMTPLast: 'off' });
  });

  it('marks STARTTLS ports as TLS, never as SSL', () => {
    expect(connection(renderAutodiscoverResponse(starttlsOnly(endpoints), email))).toEqual([
      ['IMAP', 'mail.example.net', '143', 'TLS'],
      ['POP3', 'mail.example.net', '110', 'TLS'],
      ['SMTP', 'mail.example.net', '587', 'TLS'],
    ]);
  });

  it('takes the encryption from the mode, not from the port number', () => {
    const swapped: MailEndpoints = {
      ...endpoints,
      imap: { ...endpoints.imap, implicitTlsPort: 143, starttlsPort: 993 },
      pop3: { ...endpoints.pop3, implicitTls: false, starttls: false },
      smtp: { ...endpoints.smtp, implicitTls: false, starttlsPort: 465 },
    };
    expect(connection(renderAutodiscoverResponse(swapped, email))).toEqual([
      ['IMAP', 'mail.example.net', '143', 'SSL'],
      ['SMTP', 'mail.example.net', '465', 'TLS'],
    ]);
  });

  it('uses the local part as LoginName when so configured', () => {
    const xml = renderAutodiscoverResponse({ ...endpoints, usernameForm: 'localPart' }, email);
    expect(protocols(xml).map((p) => p.LoginName)).toEqual(['alice', 'alice', 'alice']);
  });

  it("escapes <&\"'> in the login name and host", () => {
    const xml = renderAutodiscoverResponse(
      { ...endpoints, imap: { ...endpoints.imap, host: `<"imap">&'` } },
      parseEmail("o'neil&co@example.com")!,
    );
    expect(xml).toContain('<LoginName>o&apos;neil&amp;co@example.com</LoginName>');
    expect(xml).toContain('<Server>&lt;&quot;imap&quot;&gt;&amp;&apos;</Server>');
    expect(xmllint(xml).status).toBe(0);
  });
});

describe('renderAutodiscoverError', () => {
  it('renders 600 Invalid Request exactly', () => {
    expect(renderAutodiscoverError(600, new Date('2026-01-02T16:56:32.617Z'))).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">',
        '  <Response>',
        '    <Error Time="16:56:32.6170000">',
        '      <ErrorCode>600</ErrorCode>',
        '      <Message>Invalid Request</Message>',
        '      <DebugData />',
        '    </Error>',
        '  </Response>',
        '</Autodiscover>',
        '',
      ].join('\n'),
    );
  });

  it('renders 601 for an unsupported response schema, well-formed', () => {
    const xml = renderAutodiscoverError(601, new Date());
    expect(xmllint(xml).status).toBe(0);
    expect(reader.parse(xml).Autodiscover.Response.Error).toMatchObject({ ErrorCode: '601', Message: 'Provider is not available' });
  });
});
