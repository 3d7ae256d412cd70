import { createPublicKey, verify, createHash } from 'node:crypto';
import { generateDkimKeyPair } from './dkim-key-pair.js';
import { dkimSign, relaxedBody, relaxedHeader } from './dkim-signer.js';

describe('DKIM relaxed canonicalization (RFC 6376 §3.4)', () => {
  // The example of §3.4.5.
  it('canonicalizes the RFC example headers and body', () => {
    expect(relaxedHeader('A: X')).toBe('a:X');
    expect(relaxedHeader('B : Y\t\r\n\tZ  ')).toBe('b:Y Z');
    expect(relaxedBody(' C \r\nD \t E\r\n\r\n\r\n')).toBe(' C\r\nD E\r\n');
  });

  it('keeps an empty body empty and adds the final CRLF to a body without one', () => {
    expect(relaxedBody('')).toBe('');
    expect(relaxedBody('\r\n\r\n')).toBe('');
    expect(relaxedBody('hello')).toBe('hello\r\n');
  });
});

describe('dkimSign', () => {
  const message = Buffer.from('From: a@example.test\nTo: b@example.org\nSubject:  Hi\n  there\nX-Other: not signed\n\nBody line  \n\n');

  it('prepends one signature per key, signs present headers and over-signs From, with CRLF line ends', async () => {
    const rsa = await generateDkimKeyPair('rsa');
    const ed = await generateDkimKeyPair('ed25519');
    const signed = dkimSign(message, [
      { domainName: 'example.test', selector: 's1', algorithm: 'rsa', privateKeyPem: rsa.privateKeyPem },
      { domainName: 'example.test', selector: 's2', algorithm: 'ed25519', privateKeyPem: ed.privateKeyPem },
    ], new Date('2026-11-26T00:00:00Z')).toString('latin1');

    expect(signed).not.toMatch(/[^\r]\n/);
    const [first, second] = signed.split(/\r\n(?=DKIM-Signature:|From:)/);
    expect(first).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example\.test;\r\n s=s1; t=1795651200;\r\n h=from:subject:to:from;/);
    expect(second).toMatch(/^DKIM-Signature: v=1; a=ed25519-sha256; .* s=s2;/s);
    expect(signed.endsWith('From: a@example.test\r\nTo: b@example.org\r\nSubject:  Hi\r\n  there\r\nX-Other: not signed\r\n\r\nBody line  \r\n\r\n')).toBe(true);

    // The body hash is over the canonical body; the Ed25519 signature over the SHA-256 of the data (RFC 8463 §3).
    const bh = createHash('sha256').update('Body line\r\n').digest('base64');
    expect(first).toContain(`bh=${bh};`);
    const b = /b=([A-Za-z0-9+/=]+)$/.exec(second)![1];
    const data = 'from:a@example.test\r\nsubject:Hi there\r\nto:b@example.org\r\n' + relaxedHeader(second.replace(/b=[A-Za-z0-9+/=]+$/, 'b='));
    const rawKey = Buffer.from(ed.publicKey, 'base64');
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), rawKey]);
    const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(verify(null, createHash('sha256').update(data).digest(), publicKey, Buffer.from(b, 'base64'))).toBe(true);
  });
});
