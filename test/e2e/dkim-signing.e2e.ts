import { generateDkimKeyPair, dkimRecordText } from '../../src/dkim/dkim-key-pair.js';
import { DkimKeysService } from '../../src/dkim/dkim-keys.service.js';
import { dkimSign } from '../../src/dkim/dkim-signer.js';
import { TestApi } from '../support/api.js';
import { verifyDkim } from '../support/dkim-verifier.js';
import { TestDnsServer } from '../support/dns-server.js';

const MESSAGE = Buffer.from([
  'From: Ann <ann@sign.test>', 'To: bob@example.org', 'Subject: Signed', 'Date: Thu, 26 Nov 2026 10:00:00 +0000',
  'Message-ID: <1@sign.test>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '',
  'Hello  Bob,\t', 'caf\xc3\xa9', '', '',
].join('\r\n'), 'latin1');

describe('DKIM keys and signing, verified by mailauth against a real DNS server', () => {
  let dns: TestDnsServer;
  let api: TestApi;
  let keys: DkimKeysService;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    api = await TestApi.start({ DNS_SERVERS: dns.address });
    keys = api.app.get(DkimKeysService);
  });

  afterAll(async () => {
    await api?.close();
    await dns?.stop();
  });

  it('creates one RSA-2048 key on first use even when two callers race, sealed at rest', async () => {
    const { domainId } = await api.resellerWithDomain('sign.test');
    const domain = { id: domainId, name: 'sign.test' };
    const [a, b] = await Promise.all([keys.signingKeys(domain), keys.signingKeys(domain)]);
    expect(a).toEqual(b);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ domainName: 'sign.test', algorithm: 'rsa', selector: expect.stringMatching(/^pm\d{8}-rsa-[0-9a-f]{4}$/) });
    expect(a[0].privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const rows = await api.db.dkimKey.findMany({ where: { domainId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'active', algorithm: 'rsa', selector: a[0].selector, activatedAt: expect.any(Date) });
    expect(Buffer.from(rows[0].privateKey).toString('latin1')).not.toContain('PRIVATE KEY');
    // 2048-bit modulus: a 294-byte SubjectPublicKeyInfo.
    expect(Buffer.from(rows[0].publicKey, 'base64')).toHaveLength(294);
  });

  it('signs so that mailauth passes the signature with the key it finds in DNS, and fails with another', async () => {
    const [key] = await keys.signingKeys({ id: (await api.db.domain.findFirstOrThrow({ where: { name: 'sign.test' } })).id, name: 'sign.test' });
    const row = await api.db.dkimKey.findFirstOrThrow({ where: { selector: key.selector } });
    const name = `${key.selector}._domainkey.sign.test`;
    const signed = dkimSign(MESSAGE, [key]);

    expect(await verifyDkim(signed, dns.address)).toEqual([expect.objectContaining({ result: 'neutral', comment: 'no key' })]);
    await dns.publish({ name, type: 'TXT', value: dkimRecordText('rsa', row.publicKey) });
    expect(await verifyDkim(signed, dns.address)).toEqual([{ domain: 'sign.test', selector: key.selector, algorithm: 'rsa-sha256', result: 'pass' }]);

    const other = await generateDkimKeyPair('rsa');
    await dns.unpublish(name);
    await dns.publish({ name, type: 'TXT', value: dkimRecordText('rsa', other.publicKey) });
    expect(await verifyDkim(signed, dns.address)).toEqual([expect.objectContaining({ result: 'fail' })]);
  });

  it('dual-signs with RSA and Ed25519 (RFC 8463), each verifying on its own', async () => {
    const rsa = await generateDkimKeyPair('rsa');
    const ed = await generateDkimKeyPair('ed25519');
    await dns.publish(
      { name: 'r1._domainkey.dual.test', type: 'TXT', value: dkimRecordText('rsa', rsa.publicKey) },
      { name: 'e1._domainkey.dual.test', type: 'TXT', value: dkimRecordText('ed25519', ed.publicKey) },
    );
    const signed = dkimSign(Buffer.from(MESSAGE.toString('latin1').replace(/sign\.test/g, 'dual.test').replace(/\r\n/g, '\n'), 'latin1'), [
      { domainName: 'dual.test', selector: 'r1', algorithm: 'rsa', privateKeyPem: rsa.privateKeyPem },
      { domainName: 'dual.test', selector: 'e1', algorithm: 'ed25519', privateKeyPem: ed.privateKeyPem },
    ]);
    expect(await verifyDkim(signed, dns.address)).toEqual([
      { domain: 'dual.test', selector: 'r1', algorithm: 'rsa-sha256', result: 'pass' },
      { domain: 'dual.test', selector: 'e1', algorithm: 'ed25519-sha256', result: 'pass' },
    ]);
  });
});
