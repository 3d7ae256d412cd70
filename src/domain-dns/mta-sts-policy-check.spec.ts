import { mtaStsPolicyText } from '../domains/mta-sts-policy.js';
import { parseMtaStsPolicy, policyDifferences } from './mta-sts-policy-check.js';

describe('parseMtaStsPolicy (RFC 8461 §3.2)', () => {
  it('reads what Postmaster serves, LF line ends and unknown fields too', () => {
    expect(parseMtaStsPolicy(mtaStsPolicyText('enforce', 86400, ['mx1.example.net', 'mx2.example.net'])))
      .toEqual({ mode: 'enforce', maxAge: 86400, mx: ['mx1.example.net', 'mx2.example.net'] });
    expect(parseMtaStsPolicy('mode: testing\nversion: STSv1\nmx: *.Example.NET\nfuture_field: x\nmax_age:604800'))
      .toEqual({ mode: 'testing', maxAge: 604800, mx: ['*.example.net'] });
    expect(parseMtaStsPolicy('version: STSv1\r\nmode: none\r\nmax_age: 1\r\n')).toEqual({ mode: 'none', maxAge: 1, mx: [] });
  });

  it.each([
    ['<html></html>', 'line 1 is not "key: value"'],
    ['version: STSv1\r\n\r\nmode: enforce', 'line 2 is not "key: value"'],
    ['version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1', 'no single "version: STSv1" line'],
    ['version: STSv1\nmode: enforce\nmode: testing\nmx: a.test\nmax_age: 1', 'no single "mode: enforce|testing|none" line'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601', 'no single "max_age" line of 0 to 31557600 seconds'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1', 'no single "max_age" line of 0 to 31557600 seconds'],
    ['version: STSv1\nmode: enforce\nmax_age: 1', 'no "mx" line'],
  ])('refuses %j', (text, error) => {
    expect(parseMtaStsPolicy(text)).toEqual({ error });
  });
});

describe('policyDifferences', () => {
  const policy = { mode: 'enforce', maxAge: 86400, mx: ['mx1.example.net', 'mx2.example.net'] };

  it('ignores the order of mx lines and names each difference', () => {
    expect(policyDifferences(policy, { ...policy, mx: ['mx2.example.net', 'mx1.example.net'] })).toEqual([]);
    expect(policyDifferences(policy, { mode: 'testing', maxAge: 60, mx: ['*.example.net'] })).toEqual([
      'mode testing instead of enforce', 'max_age 60 instead of 86400', 'mx *.example.net instead of mx1.example.net, mx2.example.net',
    ]);
  });
});
