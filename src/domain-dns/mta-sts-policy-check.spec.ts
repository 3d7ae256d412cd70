import { mtaStsPolicyText } from '../domains/mta-sts-policy.js';
import { type MtaStsPolicy, parseMtaStsPolicy, policyCoversMx, policyDifferences, policyRecord } from './mta-sts-policy-check.js';

describe('parseMtaStsPolicy (RFC 8461 §3.2)', () => {
  it('reads what Postmaster serves, LF line ends and unknown fields too', () => {
    expect(parseMtaStsPolicy(mtaStsPolicyText('enforce', 86400, ['mx1.example.net', 'mx2.example.net'])))
      .toEqual({ mode: 'enforce', maxAge: 86400, mx: ['mx1.example.net', 'mx2.example.net'] });
    expect(parseMtaStsPolicy('mode: testing\nversion: STSv1\nmx: *.Example.NET\nfuture_field: x\nmax_age:604800'))
      .toEqual({ mode: 'testing', maxAge: 604800, mx: ['*.example.net'] });
    expect(parseMtaStsPolicy('version: STSv1\r\nmode: none\r\nmax_age: 1\r\n')).toEqual({ mode: 'none', maxAge: 1, mx: [] });
  });

  it.each([
    ['<html></html>', 'no "version: STSv1" line'],
    ['version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1', 'no "version: STSv1" line'],
    ['version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1', 'no "mode: enforce|testing|none" line'],
    ['version: STSv1\nmx: a.test\nmax_age: 1', 'no "mode: enforce|testing|none" line'],
    ['version: STSv1\nmode: enforce\nmode: testing\nmx: a.test\nmax_age: 1', 'more than one "mode" line'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601', 'no "max_age" line of 0 to 31557600 seconds'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1', 'no "max_age" line of 0 to 31557600 seconds'],
    // mailauth alone takes these as 1000 and 0 seconds.
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 1e3', 'no "max_age" line of 0 to 31557600 seconds'],
    ['version: STSv1\nmode: enforce\nmx: a.test\nmax_age:', 'no "max_age" line of 0 to 31557600 seconds'],
    ['version: STSv1\nmode: enforce\nmax_age: 1', 'no "mx" line'],
  ])('refuses %j', (text, error) => {
    expect(parseMtaStsPolicy(text)).toEqual({ error });
  });
});

describe('policyCoversMx (RFC 8461 §4.1)', () => {
  const policy: MtaStsPolicy = { mode: 'enforce', maxAge: 86400, mx: ['mx1.example.net', '*.mail.example.org'] };

  it('matches names exactly and a wildcard over one label only', () => {
    expect(policyCoversMx(policy, 'mx1.example.net')).toBe(true);
    expect(policyCoversMx(policy, 'mx2.example.net')).toBe(false);
    expect(policyCoversMx(policy, 'in.mail.example.org')).toBe(true);
    expect(policyCoversMx(policy, 'a.b.mail.example.org')).toBe(false);
    expect(policyCoversMx(policy, 'mail.example.org')).toBe(false);
  });
});

describe('policyDifferences', () => {
  const policy: MtaStsPolicy = { mode: 'enforce', maxAge: 86400, mx: ['mx1.example.net', 'mx2.example.net'] };

  it('ignores the order of mx lines and names each difference', () => {
    expect(policyDifferences(policy, { ...policy, mx: ['mx2.example.net', 'mx1.example.net'] })).toEqual([]);
    expect(policyDifferences(policy, { mode: 'testing', maxAge: 60, mx: ['*.example.net'] })).toEqual([
      'mode testing instead of enforce', 'max_age 60 instead of 86400', 'mx *.example.net instead of mx1.example.net, mx2.example.net',
    ]);
  });
});

describe('policyRecord', () => {
  const expected = mtaStsPolicyText('enforce', 86400, ['mx1.example.net', 'mx2.example.net']);
  const served = (body: string) => policyRecord('mta-sts.example.test', 'web.example.net', expected, { kind: 'answer', status: 200, contentType: 'text/plain', location: null, body }, false);

  it('names the platform MX hosts a served enforce policy does not cover, and only those', () => {
    const narrow = served('version: STSv1\nmode: enforce\nmx: mx1.example.net\nmax_age: 86400\n');
    expect(narrow).toMatchObject({ status: 'wrong', hint: expect.stringContaining('Senders that apply it refuse to deliver to mx2.example.net: none of its mx lines matches (RFC 8461 §4.1).') });
    const wildcard = served('version: STSv1\nmode: enforce\nmx: *.example.net\nmax_age: 86400\n');
    expect(wildcard.status).toBe('wrong');
    expect(wildcard.hint).not.toContain('refuse to deliver');
    expect(served(expected)).toMatchObject({ status: 'ok', hint: null });
  });
});
