import { parseAutodiscoverRequest } from './autodiscover-request.parser.js';
import { MAX_AUTODISCOVER_BODY_BYTES } from './settings-lookup.constants.js';

const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

const request = (address: string, schema = OUTLOOK_SCHEMA, prolog = '<?xml version="1.0" encoding="utf-8"?>') =>
  `${prolog}
<Autodiscover xmlns="${REQUEST_NS}">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>${schema}</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;

const invalid = { ok: false, errorCode: 600, reason: expect.any(String) };

describe('parseAutodiscoverRequest', () => {
  it("returns the normalized address of Outlook's request", () => {
    expect(parseAutodiscoverRequest(request('Alice@Example.COM'))).toEqual({
      ok: true,
      email: { address: 'Alice@example.com', localPart: 'Alice', domain: 'example.com' },
    });
  });

  it('accepts the namespace bound to a prefix, a byte body and a BOM', () => {
    const prefixed = `<a:Autodiscover xmlns:a="${REQUEST_NS}"><a:Request>
      <a:EMailAddress>bob@example.com</a:EMailAddress>
      <a:AcceptableResponseSchema>${OUTLOOK_SCHEMA}</a:AcceptableResponseSchema>
    </a:Request></a:Autodiscover>`;
    expect(parseAutodiscoverRequest(prefixed)).toMatchObject({ ok: true, email: { address: 'bob@example.com' } });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(request('carol@example.com'))]);
    expect(parseAutodiscoverRequest(bytes)).toMatchObject({ ok: true, email: { address: 'carol@example.com' } });
  });

  it('decodes the predefined entities and character references in the address', () => {
    expect(parseAutodiscoverRequest(request('o&apos;neil&amp;co&#64;example.com'))).toMatchObject({
      ok: true,
      email: { address: "o'neil&co@example.com" },
    });
  });

  it('answers an ActiveSync (mobilesync) request with 601, not settings', () => {
    const mobilesync = 'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006';
    expect(parseAutodiscoverRequest(request('alice@example.com', mobilesync))).toEqual({
      ok: false,
      errorCode: 601,
      reason: expect.stringContaining('mobilesync'),
    });
  });

  it('rejects an external entity (XXE) without resolving it', () => {
    const xxe = request('&xxe;', OUTLOOK_SCHEMA, '<?xml version="1.0"?>\n<!DOCTYPE Autodiscover [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');
    expect(parseAutodiscoverRequest(xxe)).toEqual({ ok: false, errorCode: 600, reason: 'DTD markup is not accepted' });
  });

  it('rejects billion laughs without expanding it', () => {
    const lol = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const bomb = request('&lol9;@example.com', OUTLOOK_SCHEMA, `<!doctype Autodiscover [${lol.join('')}]>`);
    expect(parseAutodiscoverRequest(bomb)).toEqual({ ok: false, errorCode: 600, reason: 'DTD markup is not accepted' });
  });

  it('treats an undeclared entity as invalid rather than expanding or keeping it', () => {
    expect(parseAutodiscoverRequest(request('&xxe;@example.com'))).toEqual(invalid);
    expect(parseAutodiscoverRequest(request('a&constructor;b@example.com'))).toEqual(invalid);
  });

  it('rejects a body over the size cap', () => {
    const padding = ' '.repeat(MAX_AUTODISCOVER_BODY_BYTES);
    expect(parseAutodiscoverRequest(request('alice@example.com') + padding)).toEqual(invalid);
    expect(parseAutodiscoverRequest(Buffer.alloc(MAX_AUTODISCOVER_BODY_BYTES + 1, 0x20))).toEqual(invalid);
  });

  it.each([
    ['an empty body', ''],
    ['invalid UTF-8', Buffer.from([0x3c, 0x61, 0xff, 0x3e])],
    ['malformed XML', request('alice@example.com').replace('</Request>', '')],
    ['JSON', '{"EMailAddress":"alice@example.com"}'],
    ['the wrong namespace', request('alice@example.com').replace(REQUEST_NS, 'urn:example')],
    ['no namespace', request('alice@example.com').replace(` xmlns="${REQUEST_NS}"`, '')],
    ['another root element', `<Discover xmlns="${REQUEST_NS}"><Request/></Discover>`],
    ['no AcceptableResponseSchema', request('alice@example.com').replace(/<AcceptableResponseSchema>.*<\/AcceptableResponseSchema>/, '')],
    ['no EMailAddress', request('alice@example.com').replace('<EMailAddress>alice@example.com</EMailAddress>', '')],
    ['two EMailAddress elements', request('alice@example.com<\/EMailAddress><EMailAddress>bob@example.com')],
    ['markup inside EMailAddress', request('<b>alice@example.com</b>')],
    ['an address that is not one', request('alice at example.com')],
    ['CRLF in the address', request('alice@example.com&#13;&#10;Bcc: x@example.org')],
  ])('answers %s with 600', (_, body) => {
    expect(parseAutodiscoverRequest(body)).toEqual(invalid);
  });
});
