import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { requestFingerprint } from './request-fingerprint.js';

const KEY = randomBytes(32);
const fingerprint = (body: unknown, url = '/v1/x') => requestFingerprint(KEY, 'POST', url, body);

describe('requestFingerprint', () => {
  it('hashes a raw body as its bytes, without serializing it to JSON', () => {
    const body = randomBytes(20 * 1024 * 1024);
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      const first = fingerprint(body);
      expect(fingerprint(Buffer.from(body))).toBe(first);
      body[body.length - 1] ^= 1;
      expect(fingerprint(body)).not.toBe(first);
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
  });

  it('gives a JSON body the same fingerprint whatever the order of its keys', () => {
    expect(fingerprint({ a: 1, b: { c: [1, 'x'], d: null } })).toBe(fingerprint({ b: { d: null, c: [1, 'x'] }, a: 1 }));
  });

  it.each([
    [{ a: 1 }, { a: '1' }],
    [{ a: [1, 2] }, { a: [[1, 2]] }],
    [['ab', 'c'], ['a', 'bc']],
    [{ a: 'b' }, ['a', 'b']],
    [{ a: null }, {}],
    [{ a: true }, { a: 'true' }],
    ['\ud800', '\ufffd'],
    [Buffer.from('{}'), {}],
    [Buffer.from('x'), 'x'],
  ])('tells %j from %j', (one, other) => {
    expect(fingerprint(one)).not.toBe(fingerprint(other));
  });

  it('tells the URL (and with it the query) apart', () => {
    expect(fingerprint({}, '/v1/x?a=1')).not.toBe(fingerprint({}, '/v1/x?a=2'));
  });

  it('takes nesting deeper than the call stack', () => {
    const depth = 200_000;
    const deep = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    expect(fingerprint(deep)).toMatch(/^[0-9a-f]{64}$/);
  });
});
