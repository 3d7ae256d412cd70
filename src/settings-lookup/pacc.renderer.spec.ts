import { defaultEndpoints, type MailEndpoints } from './mail-endpoints.js';
import { paccDigestRecordValue, renderPacc } from './pacc.renderer.js';

const domain = { name: 'example.com', displayName: 'Example Mail' };
const endpoints = defaultEndpoints('mail.example.net');

describe('renderPacc', () => {
  it('renders the implicit-TLS services as compact, byte-stable JSON', () => {
    expect(renderPacc(endpoints, domain)).toBe(
      '{"protocols":{"imap":{"host":"mail.example.net"},"pop3":{"host":"mail.example.net"},' +
        '"submit":{"host":"mail.example.net"}},"authentication":{"password":true},' +
        '"info":{"provider":{"name":"Example Mail"}}}',
    );
  });

  it('leaves out a protocol without implicit TLS on its IANA port, which PACC cannot express', () => {
    const partial: MailEndpoints = {
      ...endpoints,
      imap: { ...endpoints.imap, implicitTls: false },
      pop3: { ...endpoints.pop3, implicitTlsPort: 10995 },
    };
    expect(JSON.parse(renderPacc(partial, domain)!).protocols).toEqual({ submit: { host: 'mail.example.net' } });
  });

  it('returns null when no protocol qualifies', () => {
    const noImplicitTls: MailEndpoints = {
      ...endpoints,
      imap: { ...endpoints.imap, implicitTls: false },
      pop3: { ...endpoints.pop3, implicitTls: false },
      smtp: { ...endpoints.smtp, implicitTls: false },
    };
    expect(renderPacc(noImplicitTls, domain)).toBeNull();
  });

  it('keeps a hostile provider name valid JSON and caps it at 60 characters', () => {
    const name = `"Acme" <Mail> & 'Co' \\ ${'x'.repeat(60)}`;
    const document = JSON.parse(renderPacc(endpoints, { ...domain, displayName: name })!);
    expect(document.info.provider.name).toBe(name.slice(0, 60));
  });
});

describe('paccDigestRecordValue', () => {
  it('is the base64 SHA-256 of the exact bytes (FIPS 180-2 test vectors)', () => {
    expect(paccDigestRecordValue('')).toBe('v=UAAC1; a=sha256; d=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(paccDigestRecordValue('abc')).toBe('v=UAAC1; a=sha256; d=ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });
});
