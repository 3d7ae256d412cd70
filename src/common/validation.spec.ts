import { invalidTextErrors } from './validation.js';

describe('invalidTextErrors', () => {
  it('accepts ordinary text: tabs, line breaks, emoji (paired surrogates), any script', () => {
    expect(invalidTextErrors({ a: 'x\ty\r\nz', b: ['😀 Grüße 東京', { c: '\u007f\u0085' }], n: 1, t: true, z: null })).toEqual([]);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800'],
    ['a lone low surrogate', '\udc00b'],
    ['surrogates in the wrong order', '\udc00\ud800'],
    ['a C0 control', 'bell\u0007'],
    ['escape', '\u001b[31m'],
  ])('flags %s, with the path of the field', (_, text) => {
    expect(invalidTextErrors({ outer: { list: ['fine', text] } })).toEqual([
      { field: 'outer.list.1', code: 'invalid_characters', message: expect.any(String) },
    ]);
  });

  it('flags object keys, naming them printably', () => {
    expect(invalidTextErrors({ headers: { 'X-\u0000': 'v' } })).toEqual([
      { field: 'headers.X-\\u0000', code: 'invalid_characters', message: expect.stringMatching(/^field name /) },
    ]);
  });

  it('refuses keys named like prototype properties, at any depth', () => {
    expect(invalidTextErrors({ a: { prototype: {} }, constructor: 1 }).map((e) => [e.field, e.code])).toEqual([
      ['constructor', 'unknown_field'], ['a.prototype', 'unknown_field'],
    ]);
  });

  it('names a whole body, a query value and a path value', () => {
    expect(invalidTextErrors('\ud800')[0].field).toBe('(body)');
    expect(invalidTextErrors('\u0000', 'id')[0].field).toBe('id');
    expect(invalidTextErrors({ q: '\u0000' })[0].field).toBe('q');
  });

  it('stops at 20 errors', () => {
    expect(invalidTextErrors(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
  });

  it('walks nesting deeper than the call stack, and skips raw bytes', () => {
    const depth = 200_000;
    const deep = JSON.parse('['.repeat(depth) + '"\\u0000"' + ']'.repeat(depth));
    expect(invalidTextErrors(deep)).toHaveLength(1);
    expect(invalidTextErrors(Buffer.from([0, 0xed, 0xa0, 0x80]))).toEqual([]);
  });
});
