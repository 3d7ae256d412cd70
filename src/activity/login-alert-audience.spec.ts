import { type IpEvidence, ipAlertShares } from './login-alert-audience.js';

const evidence = (accounts: string[], last = accounts.at(-1)!): IpEvidence => ({
  rule: { threshold: 10, windowSeconds: 600 }, remoteIp: '192.0.2.1', failures: 10, distinctAccounts: accounts.length, accounts,
  lastAttempt: { login: last },
});

describe('ipAlertShares', () => {
  it("gives each tenant its own accounts only, and the platform the whole of an IP spanning tenants", () => {
    const whole = evidence(['a1@a.test', 'b1@b.test', 'a2@a.test'], 'b1@b.test');
    const shares = ipAlertShares(whole, new Map([['a1@a.test', 'A'], ['a2@a.test', 'A'], ['b1@b.test', 'B']]), null);
    expect(shares).toEqual([
      { resellerId: 'A', whole: false, evidence: { rule: whole.rule, remoteIp: '192.0.2.1', distinctAccounts: 2, accounts: ['a1@a.test', 'a2@a.test'] } },
      { resellerId: 'B', whole: false, evidence: { rule: whole.rule, remoteIp: '192.0.2.1', distinctAccounts: 1, accounts: ['b1@b.test'], lastAttempt: { login: 'b1@b.test' } } },
      { resellerId: null, whole: true, evidence: whole },
    ]);
  });

  it("gives one tenant's alone to that tenant with the whole evidence, and no platform alert", () => {
    const whole = evidence(['a1@a.test', 'a2@a.test']);
    expect(ipAlertShares(whole, new Map([['a1@a.test', 'A'], ['a2@a.test', 'A']]), null)).toEqual([{ resellerId: 'A', whole: true, evidence: whole }]);
  });

  it('tells the platform about accounts no tenant holds (unknown logins, the platform\'s own domains)', () => {
    const whole = evidence(['a1@a.test', 'nobody@x.test', 'p@platform.test']);
    const shares = ipAlertShares(whole, new Map<string, string | null>([['a1@a.test', 'A'], ['p@platform.test', null]]), null);
    expect(shares.map((s) => [s.resellerId, s.evidence.accounts])).toEqual([['A', ['a1@a.test']], [null, whole.accounts]]);
  });

  it("keeps a tenant's own detection to that tenant", () => {
    const whole = evidence(['a1@a.test']);
    expect(ipAlertShares(whole, new Map([['a1@a.test', 'A']]), 'A')).toEqual([{ resellerId: 'A', whole: true, evidence: whole }]);
    expect(ipAlertShares(whole, new Map([['a1@a.test', 'B']]), 'A')).toEqual([]);
  });
});
