import { parseEmail } from './email-address.js';

describe('parseEmail', () => {
  it('lowercases the domain and keeps the local part as typed', () => {
    expect(parseEmail('Alice.Smith@Example.COM')).toEqual({
      address: 'Alice.Smith@example.com',
      localPart: 'Alice.Smith',
      domain: 'example.com',
    });
  });

  it('converts an IDN domain to its A-label form', () => {
    expect(parseEmail('user@Bücher.example')?.address).toBe('user@xn--bcher-kva.example');
    expect(parseEmail('user@ｅｘａｍｐｌｅ．ｃｏｍ')?.domain).toBe('example.com');
  });

  it("accepts RFC 5322 atext specials, including & and '", () => {
    expect(parseEmail("o'neil&co+tag@example.com")?.localPart).toBe("o'neil&co+tag");
  });

  it('accepts an internationalized local part (RFC 6531)', () => {
    expect(parseEmail('jörg@example.com')?.address).toBe('jörg@example.com');
  });

  it('accepts 254 octets and rejects 255', () => {
    const domain = (lastLabel: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(lastLabel)}.com`;
    const at254 = `${'x'.repeat(64)}@${domain(57)}`;
    expect(at254).toHaveLength(254);
    expect(parseEmail(at254)?.address).toBe(at254);
    expect(parseEmail(`${'x'.repeat(64)}@${domain(58)}`)).toBeNull();
  });

  it('rejects a local part over 64 octets', () => {
    expect(parseEmail(`${'x'.repeat(64)}@example.com`)).not.toBeNull();
    expect(parseEmail(`${'x'.repeat(65)}@example.com`)).toBeNull();
    expect(parseEmail(`${'ö'.repeat(33)}@example.com`)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['no @', 'plain.example.com'],
    ['two @', 'a@b@example.com'],
    ['empty local part', '@example.com'],
    ['empty domain', 'user@'],
    ['space', 'us er@example.com'],
    ['no-break space', 'user\u00a0@example.com'],
    ['tab', 'user\t@example.com'],
    ['CRLF header injection', 'user@example.com\r\nBcc: victim@example.org'],
    ['NUL', 'user\u0000@example.com'],
    ['C1 control', 'user\u0085@example.com'],
    ['lone surrogate', 'us\uD800er@example.com'],
    ['zero-width space', 'us\u200Ber@example.com'],
    ['right-to-left override', 'user\u202E@example.com'],
    ['leading dot', '.user@example.com'],
    ['trailing dot', 'user.@example.com'],
    ['double dot', 'us..er@example.com'],
    ['quoted local part', '"john doe"@example.com'],
    ['angle brackets', '<user>@example.com'],
    ['single-label domain', 'user@localhost'],
    ['address literal', 'user@[192.0.2.1]'],
    ['IPv4 as domain', 'user@192.0.2.1'],
    ['trailing dot on domain', 'user@example.com.'],
    ['empty label', 'user@example..com'],
    ['underscore', 'user@exa_mple.com'],
    ['leading hyphen', 'user@-example.com'],
    ['trailing hyphen', 'user@example-.com'],
    ['invalid punycode', 'user@xn--zz.com'],
  ])('rejects %s', (_, input) => {
    expect(parseEmail(input)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(parseEmail(undefined)).toBeNull();
    expect(parseEmail(42)).toBeNull();
    expect(parseEmail(['user@example.com'])).toBeNull();
  });
});
