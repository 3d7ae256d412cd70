import type { LoginRule, LoginRuleName, LoginRules } from './login-rules.js';

// Pure decisions of login monitoring: which rules a reported login fires, how long a block lasts,
// what the auth-policy hook answers. Redis keeps the counts (login-counters.ts); these decide.

export type LoginOutcome = 'success' | 'failure' | 'rejected';

/** What the counters say right after one login was recorded (login-counters.ts). */
export interface LoginCounts {
  /** Failures from this IP within failuresPerIp's window. */
  ipFailures: number;
  /** Failures on this account within failuresPerAccount's window. */
  accountFailures: number;
  /** Distinct accounts this IP failed against within passwordSpraying's window. */
  ipDistinctAccounts: number;
  /** Failures on this account within successAfterFailures' window (on a success). */
  recentAccountFailures: number;
  /** On a success: whether the account logged in from this network within newNetwork's window. */
  networkSeen: boolean;
  /** On a success: how many networks the account logged in from within that window (before this one). */
  knownNetworks: number;
}

/** The subject a rule acts on at the auth-policy hook: the client address or the account. */
export type RuleSubject = 'ip' | 'account';

export const RULE_SUBJECT: Record<LoginRuleName, RuleSubject> = {
  failuresPerIp: 'ip',
  failuresPerAccount: 'account',
  passwordSpraying: 'ip',
  successAfterFailures: 'account',
  newNetwork: 'account',
};

/** The rules at or over their threshold after this login. A rule fires AT its threshold. */
export function firedRules(rules: LoginRules, outcome: LoginOutcome, counts: LoginCounts): LoginRuleName[] {
  const fired: LoginRuleName[] = [];
  const over = (name: LoginRuleName, count: number) => rules[name].enabled && count >= rules[name].threshold;
  if (outcome === 'failure') {
    if (over('failuresPerIp', counts.ipFailures)) fired.push('failuresPerIp');
    if (over('failuresPerAccount', counts.accountFailures)) fired.push('failuresPerAccount');
    if (over('passwordSpraying', counts.ipDistinctAccounts)) fired.push('passwordSpraying');
  } else if (outcome === 'success') {
    if (over('successAfterFailures', counts.recentAccountFailures)) fired.push('successAfterFailures');
    // The first network an account is ever seen from is its baseline.
    if (rules.newNetwork.enabled && !counts.networkSeen && counts.knownNetworks > 0) fired.push('newNetwork');
  }
  return fired;
}

/** The n-th block (n ≥ 1) within the rule's repeat memory: the first block, doubled per repeat, capped. */
export function blockSeconds(rule: LoginRule, repeat: number): number {
  const doublings = Math.min(Math.max(repeat, 1) - 1, 30);
  return Math.min(rule.blockSeconds * 2 ** doublings, Math.max(rule.maxBlockSeconds, rule.blockSeconds));
}

/** A block in force on a subject, as Redis stores it: `reject` or `tarpit:<seconds>`. */
export type BlockValue = string | null;

export function blockValue(rule: LoginRule): string | null {
  if (rule.actions.includes('reject')) return 'reject';
  if (rule.actions.includes('tarpit')) return `tarpit:${rule.tarpitSeconds}`;
  return null;
}

/** Dovecot's auth-policy answer: 0 accept, -1 reject, N > 0 tarpit N seconds. */
export interface PolicyAnswer {
  status: number;
  msg: string;
}

export const ACCEPT: PolicyAnswer = { status: 0, msg: '' };
export const REJECTED_MESSAGE = 'Login refused by policy.';

/** What the allow check reads: the IP's block on the platform, its block by the login's tenant (for the login's domain), the account's. */
export interface LoginBlocks {
  ipBlock: BlockValue;
  tenantIpBlock: BlockValue;
  accountBlock: BlockValue;
  locked: boolean;
}

export function policyAnswer(state: LoginBlocks): PolicyAnswer {
  const blocks = [state.ipBlock, state.tenantIpBlock, state.accountBlock];
  // Same message for every refusal: the client learns nothing about which rule or whether the account exists.
  if (state.locked || blocks.includes('reject')) return { status: -1, msg: REJECTED_MESSAGE };
  const tarpit = Math.max(...blocks.map(tarpitOf));
  return tarpit > 0 ? { status: tarpit, msg: '' } : ACCEPT;
}

function tarpitOf(value: BlockValue): number {
  const match = value ? /^tarpit:(\d+)$/.exec(value) : null;
  return match ? Number(match[1]) : 0;
}
