import { z } from 'zod';
import { mergeRuleOverrides, ruleOverridesSetting } from '../config/rule-overrides.js';

// The login rules, their defaults and how an operator overrides them (LOGIN_RULES, README
// "Activity monitoring"). Defaults follow what mail servers ship: Dovecot's own guidance and
// mailcow's netfilter (10 failures in 10 minutes, then a ban that doubles on repeat up to a day),
// at most 100 failures per account per hour. fail2ban's dovecot jail (5 in 10 minutes) is the
// documented stricter alternative: LOGIN_RULES='{"failuresPerIp":{"threshold":5}}'.

/** What a rule does when it fires. `reject`/`tarpit` act at the auth-policy hook on the rule's subject. */
export const RULE_ACTIONS = ['reject', 'tarpit', 'lock_login', 'suspend_sending', 'alert'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

const MINUTE_S = 60;
const HOUR_S = 3600;
const DAY_S = 86_400;

const rule = z.object({
  enabled: z.boolean(),
  /** Count that fires the rule: failures, or distinct accounts for spraying. Fires AT the threshold. */
  threshold: z.number().int().min(1).max(1_000_000),
  /** An event counts while it is younger than the window (now - t < window). */
  windowSeconds: z.number().int().min(1).max(30 * DAY_S),
  actions: z.array(z.enum(RULE_ACTIONS)).max(RULE_ACTIONS.length),
  /** `reject`: first block; each repeat within `repeatMemorySeconds` doubles it, up to `maxBlockSeconds`. */
  blockSeconds: z.number().int().min(1).max(30 * DAY_S),
  maxBlockSeconds: z.number().int().min(1).max(30 * DAY_S),
  repeatMemorySeconds: z.number().int().min(1).max(30 * DAY_S),
  /** `tarpit`: Dovecot delays each login of the subject this long, for `blockSeconds`. */
  tarpitSeconds: z.number().int().min(1).max(60),
  severity: z.enum(['info', 'warning', 'critical']),
}).strict();
export type LoginRule = z.infer<typeof rule>;

export const LOGIN_RULE_NAMES = ['failuresPerIp', 'failuresPerAccount', 'passwordSpraying', 'successAfterFailures', 'newNetwork'] as const;
export type LoginRuleName = (typeof LOGIN_RULE_NAMES)[number];
export type LoginRules = Record<LoginRuleName, LoginRule>;

const common = { enabled: true, repeatMemorySeconds: DAY_S, maxBlockSeconds: DAY_S, tarpitSeconds: 5 };

export const DEFAULT_LOGIN_RULES: LoginRules = {
  // One address guessing passwords: block it.
  failuresPerIp: { ...common, threshold: 10, windowSeconds: 10 * MINUTE_S, actions: ['reject', 'alert'], blockSeconds: 30 * MINUTE_S, severity: 'warning' },
  // One account guessed from many addresses: slow every login to it down rather than lock its
  // owner out (a lock would hand the attacker a denial of service).
  failuresPerAccount: { ...common, threshold: 100, windowSeconds: HOUR_S, actions: ['tarpit', 'alert'], blockSeconds: HOUR_S, severity: 'warning' },
  // One address failing against many accounts (threshold = distinct accounts).
  passwordSpraying: { ...common, threshold: 10, windowSeconds: HOUR_S, actions: ['reject', 'alert'], blockSeconds: HOUR_S, severity: 'critical' },
  // A success after this many failures on the account within the window: a guessed password?
  successAfterFailures: { ...common, threshold: 10, windowSeconds: HOUR_S, actions: ['alert'], blockSeconds: HOUR_S, severity: 'critical' },
  // A success from a network (/24, /48) not seen for the account within the window (30 days).
  // threshold unused. The account's first success ever is its baseline, not an alert.
  newNetwork: { ...common, threshold: 1, windowSeconds: 30 * DAY_S, actions: ['alert'], blockSeconds: HOUR_S, severity: 'info' },
};

/** Alert rule names (the `rule` of an alert, `GET /v1/alerts?rule=`). */
export const ALERT_RULE: Record<LoginRuleName, string> = {
  failuresPerIp: 'login.failures_per_ip',
  failuresPerAccount: 'login.failures_per_account',
  passwordSpraying: 'login.password_spraying',
  successAfterFailures: 'login.success_after_failures',
  newNetwork: 'login.new_network',
};

const overrides = z.object(Object.fromEntries(LOGIN_RULE_NAMES.map((name) => [name, rule.partial().optional()]))).strict();

/** LOGIN_RULES: JSON of per-rule partial overrides, merged over the defaults. */
export const loginRulesSetting = ruleOverridesSetting<LoginRules>(overrides, DEFAULT_LOGIN_RULES);

export function mergeRules(parsed: Partial<Record<LoginRuleName, Partial<LoginRule>>>): LoginRules {
  return mergeRuleOverrides(DEFAULT_LOGIN_RULES, parsed);
}
