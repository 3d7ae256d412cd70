import { XMLParser } from 'fast-xml-parser';
import { parseEmail } from './email-address.js';
import { defaultEndpoints, type MailEndpoints } from './mail-endpoints.js';
import { renderMobileconfig, stableUuid } from './mobileconfig.renderer.js';
import { xmllint } from './xmllint.testing.js';

const domain = { name: 'example.com', displayName: 'Example Mail' };
const endpoints = defaultEndpoints('mail.example.net');
const alice = parseEmail('alice@example.com')!;
const UUID_V8 = /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

// A plist <dict> is a sequence of <key> and value siblings, so it is read in document order.
type Node = Record<string, unknown> & { ':@'?: Record<string, string> };
const ordered = new XMLParser({ preserveOrder: true, parseTagValue: false, trimValues: false });
function plistValue(node: Node): unknown {
  const [tag] = Object.keys(node).filter((key) => key !== ':@');
  const children = node[tag] as Node[];
  const text = () => children.map((child) => child['#text']).join('');
  if (tag === 'key' || tag === 'string') return text();
  if (tag === 'integer') return Number(text());
  if (tag === 'true' || tag === 'false') return tag === 'true';
  const items = children.filter((child) => !('#text' in child));
  if (tag === 'array') return items.map(plistValue);
  const dict: Record<string, unknown> = {};
  for (let i = 0; i < items.length; i += 2) dict[plistValue(items[i]) as string] = plistValue(items[i + 1]);
  return dict;
}
function readProfile(xml: string): Record<string, any> {
  const plist = (ordered.parse(xml) as Node[]).find((node) => 'plist' in node)!;
  return plistValue((plist.plist as Node[]).find((node) => 'dict' in node)!) as Record<string, any>;
}

describe('renderMobileconfig', () => {
  it('is a well-formed plist with a Configuration profile around one mail payload', () => {
    const xml = renderMobileconfig(endpoints, alice, domain)!;
    expect(xmllint(xml).status).toBe(0);
    expect(xml).toContain('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">');
    const profile = readProfile(xml);
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadVersion: 1, PayloadRemovalDisallowed: false });
    expect(profile.PayloadContent).toHaveLength(1);
    expect(profile.PayloadContent[0]).toMatchObject({
      PayloadType: 'com.apple.mail.managed',
      PayloadVersion: 1,
      EmailAccountType: 'EmailTypeIMAP',
      EmailAddress: 'alice@example.com',
      IncomingMailServerHostName: 'mail.example.net',
      IncomingMailServerPortNumber: 993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: 'alice@example.com',
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: 'mail.example.net',
      OutgoingMailServerPortNumber: 465,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: 'alice@example.com',
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingPasswordSameAsIncomingPassword: true,
    });
  });

  it('keeps identifiers stable per address and distinct between addresses', () => {
    const first = readProfile(renderMobileconfig(endpoints, alice, domain)!);
    const again = readProfile(renderMobileconfig(endpoints, parseEmail('Alice@EXAMPLE.com')!, domain)!);
    const bob = readProfile(renderMobileconfig(endpoints, parseEmail('bob@example.com')!, domain)!);
    const ids = (profile: Record<string, any>) => [
      profile.PayloadUUID,
      profile.PayloadIdentifier,
      profile.PayloadContent[0].PayloadUUID,
      profile.PayloadContent[0].PayloadIdentifier,
    ];
    expect(ids(again)).toEqual(ids(first));
    expect(ids(bob).every((id, i) => id !== ids(first)[i])).toBe(true);
    expect(first.PayloadUUID).not.toBe(first.PayloadContent[0].PayloadUUID);
    expect(first.PayloadUUID).toMatch(UUID_V8);
    expect(first.PayloadContent[0].PayloadUUID).toMatch(UUID_V8);
    expect(first.PayloadIdentifier).toBe(`com.example.mail.profile.${first.PayloadUUID}`);
  });

  it('derives UUIDs that never change across releases (a change would duplicate installed profiles)', () => {
    expect(stableUuid('mobileconfig-profile:alice@example.com')).toBe('1AA2B4C7-9FB4-8FA2-A724-0721365F6F32');
  });

  it('falls back to POP3 and to STARTTLS ports, still requiring TLS', () => {
    const popOnly: MailEndpoints = {
      ...endpoints,
      imap: { ...endpoints.imap, implicitTls: false, starttls: false },
      pop3: { ...endpoints.pop3, implicitTls: false },
      smtp: { ...endpoints.smtp, implicitTls: false },
    };
    expect(readProfile(renderMobileconfig(popOnly, alice, domain)!).PayloadContent[0]).toMatchObject({
      EmailAccountType: 'EmailTypePOP',
      IncomingMailServerPortNumber: 110,
      IncomingMailServerUseSSL: true,
      OutgoingMailServerPortNumber: 587,
      OutgoingMailServerUseSSL: true,
    });
  });

  it('returns null when there is no incoming or no outgoing service', () => {
    const off = { implicitTls: false, starttls: false };
    expect(renderMobileconfig({ ...endpoints, smtp: { ...endpoints.smtp, ...off } }, alice, domain)).toBeNull();
    const noIncoming = { ...endpoints, imap: { ...endpoints.imap, ...off }, pop3: { ...endpoints.pop3, ...off } };
    expect(renderMobileconfig(noIncoming, alice, domain)).toBeNull();
  });

  it("escapes <&\"'> and reads back unchanged", () => {
    const hostile = { name: 'example.com', displayName: `Acme <"Mail"> & 'Co'` };
    const xml = renderMobileconfig(endpoints, parseEmail("o'neil&co@example.com")!, hostile)!;
    expect(xml).toContain('<string>Acme &lt;&quot;Mail&quot;&gt; &amp; &apos;Co&apos;</string>');
    expect(xmllint(xml).status).toBe(0);
    const payload = readProfile(xml).PayloadContent[0];
    expect(payload.EmailAccountDescription).toBe(hostile.displayName);
    expect(payload.EmailAddress).toBe("o'neil&co@example.com");
  });
});
