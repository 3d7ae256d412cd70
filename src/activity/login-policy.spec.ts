import { blockSeconds, blockValue, firedRules, type LoginCounts, policyAnswer } from './login-policy.js';
import { DEFAULT_LOGIN_RULES, loginRulesSetting, mergeRules } from './login-rules.js';

const rules = DEFAULT_LOGIN_RULES;
const none: LoginCounts = { ipFailures: 0, accountFailures: 0, ipDistinctAccounts: 0, recentAccountFailures: 0, networkSeen: true, knownNetworks: 1 };

describe('firedRules', () => {
  it('fires failures per IP exactly at the threshold, not one below', () => {
    expect(firedRules(rules, 'failure', { ...none, ipFailures: 9 })).toEqual([]);
    expect(firedRules(rules, 'failure', { ...none, ipFailures: 10 })).toEqual(['failuresPerIp']);
    expect(firedRules(rules, 'failure', { ...none, ipFailures: 11 })).toEqual(['failuresPerIp']);
  });

  it('fires failures per account at 100, spraying at 10 distinct accounts', () => {
    expect(firedRules(rules, 'failure', { ...none, accountFailures: 99, ipDistinctAccounts: 9 })).toEqual([]);
    expect(firedRules(rules, 'failure', { ...none, accountFailures: 100 })).toEqual(['failuresPerAccount']);
    expect(firedRules(rules, 'failure', { ...none, ipDistinctAccounts: 10 })).toEqual(['passwordSpraying']);
  });

  it('fires success-after-failures at the threshold and only on a success', () => {
    expect(firedRules(rules, 'success', { ...none, recentAccountFailures: 9 })).toEqual([]);
    expect(firedRules(rules, 'success', { ...none, recentAccountFailures: 10 })).toEqual(['successAfterFailures']);
    expect(firedRules(rules, 'failure', { ...none, recentAccountFailures: 10 })).toEqual([]);
  });

  it('fires new-network on a success from an unseen network, not on the first network ever', () => {
    expect(firedRules(rules, 'success', { ...none, networkSeen: false, knownNetworks: 1 })).toEqual(['newNetwork']);
    expect(firedRules(rules, 'success', { ...none, networkSeen: false, knownNetworks: 0 })).toEqual([]);
    expect(firedRules(rules, 'success', { ...none, networkSeen: true, knownNetworks: 3 })).toEqual([]);
  });

  it('counts nothing for a login the policy rejected, and skips disabled rules', () => {
    expect(firedRules(rules, 'rejected', { ...none, ipFailures: 50, ipDistinctAccounts: 50 })).toEqual([]);
    const off = mergeRules({ failuresPerIp: { enabled: false } });
    expect(firedRules(off, 'failure', { ...none, ipFailures: 50 })).toEqual([]);
  });
});

describe('blockSeconds', () => {
  it('starts at 30 minutes and doubles per repeat up to 24 hours', () => {
    const rule = rules.failuresPerIp;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => blockSeconds(rule, n))).toEqual([1800, 3600, 7200, 14400, 28800, 57600, 86400]);
    expect(blockSeconds(rule, 40)).toBe(86400);
  });
});

describe('policyAnswer', () => {
  const open = { ipBlock: null, tenantIpBlock: null, accountBlock: null, locked: false };

  it('accepts with no block, rejects a blocked IP, a rejected account and a locked one', () => {
    expect(policyAnswer(open)).toEqual({ status: 0, msg: '' });
    expect(policyAnswer({ ...open, ipBlock: 'reject' }).status).toBe(-1);
    expect(policyAnswer({ ...open, tenantIpBlock: 'reject' }).status).toBe(-1);
    expect(policyAnswer({ ...open, accountBlock: 'reject' }).status).toBe(-1);
    expect(policyAnswer({ ...open, locked: true }).status).toBe(-1);
  });

  it('tarpits for the longest tarpit in force, and a reject wins over a tarpit', () => {
    expect(policyAnswer({ ...open, accountBlock: blockValue(rules.failuresPerAccount) })).toEqual({ status: 5, msg: '' });
    expect(policyAnswer({ ...open, ipBlock: 'tarpit:3', accountBlock: 'tarpit:7' }).status).toBe(7);
    expect(policyAnswer({ ...open, tenantIpBlock: 'tarpit:9', accountBlock: 'tarpit:7' }).status).toBe(9);
    expect(policyAnswer({ ...open, ipBlock: 'reject', accountBlock: 'tarpit:7' }).status).toBe(-1);
  });
});

describe('LOGIN_RULES', () => {
  it('merges partial overrides over the defaults (fail2ban: 5 in 10 minutes)', () => {
    const parsed = loginRulesSetting.parse('{"failuresPerIp":{"threshold":5}}');
    expect(parsed.failuresPerIp).toEqual({ ...DEFAULT_LOGIN_RULES.failuresPerIp, threshold: 5 });
    expect(parsed.passwordSpraying).toEqual(DEFAULT_LOGIN_RULES.passwordSpraying);
  });

  it('refuses unknown rules, unknown fields and bad JSON', () => {
    expect(loginRulesSetting.safeParse('{"nope":{}}').success).toBe(false);
    expect(loginRulesSetting.safeParse('{"failuresPerIp":{"limit":3}}').success).toBe(false);
    expect(loginRulesSetting.safeParse('{').success).toBe(false);
  });
});
