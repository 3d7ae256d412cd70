export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  requireLower: boolean;
  requireUpper: boolean;
  requireDigit: boolean;
  requireSymbol: boolean;
  /** zxcvbn score, 0 (no check) to 4. */
  minScore: number;
  blocklist: boolean;
  context: boolean;
  /** How many previous passwords may not be reused; 0 disables the check. */
  historySize: number;
}

export type PasswordPolicyField = keyof PasswordPolicy;
export type PasswordPresetName = 'provider-default' | 'nist-800-63b';
/** A full or partial policy, or a preset's name; a partial layer leaves the other fields alone. */
export type PasswordPolicyLayer = Partial<PasswordPolicy> | PasswordPresetName;

// NIST SP 800-63B §3.1.1.2: verifiers SHOULD permit at least 64 characters. The hard cap bounds
// hashing and strength-estimation work; zxcvbn-ts stops looking at 256 characters too.
export const PASSWORD_HARD_MAX_LENGTH = 256;
export const PASSWORD_MAX_LENGTH_FLOOR = 64;
// Kept at the max-length floor so that merging valid layers can never give minLength > maxLength.
export const PASSWORD_MIN_LENGTH_CEILING = PASSWORD_MAX_LENGTH_FLOOR;
export const PASSWORD_MAX_SCORE = 4;
export const PASSWORD_MAX_HISTORY_SIZE = 24;

/** The neutral layer: no rule beyond the hard cap. Every other policy is at least as strict. */
export const PERMISSIVE_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  minLength: 1,
  maxLength: PASSWORD_HARD_MAX_LENGTH,
  requireLower: false,
  requireUpper: false,
  requireDigit: false,
  requireSymbol: false,
  minScore: 0,
  blocklist: false,
  context: false,
  historySize: 0,
});

export const PRESETS: Readonly<Record<PasswordPresetName, Readonly<PasswordPolicy>>> = Object.freeze({
  // The provider's published guidance (docs/product.md §4).
  'provider-default': Object.freeze({
    minLength: 12,
    maxLength: 128,
    requireLower: true,
    requireUpper: true,
    requireDigit: true,
    requireSymbol: true,
    minScore: 3,
    blocklist: true,
    context: true,
    historySize: 0,
  }),
  // SP 800-63B §3.1.1.2 (rev. 4): length ≥ 15 for single-factor passwords, no composition rules,
  // screen against breached and context-specific words; a strength meter is not required.
  'nist-800-63b': Object.freeze({
    minLength: 15,
    maxLength: 128,
    requireLower: false,
    requireUpper: false,
    requireDigit: false,
    requireSymbol: false,
    minScore: 0,
    blocklist: true,
    context: true,
    historySize: 0,
  }),
});

const BOOLEAN_FIELDS = ['requireLower', 'requireUpper', 'requireDigit', 'requireSymbol', 'blocklist', 'context'] as const;
const AT_LEAST_FIELDS = ['minLength', 'minScore', 'historySize'] as const;

export function isPresetName(name: string): name is PasswordPresetName {
  return Object.hasOwn(PRESETS, name);
}

/**
 * Merges platform floor → reseller policy or preset → domain policy, in that order. A later layer
 * can only tighten: each field takes the strictest value any layer gives it.
 */
export function resolveEffectivePolicy(...layers: Array<PasswordPolicyLayer | null | undefined>): PasswordPolicy {
  const effective: PasswordPolicy = { ...PERMISSIVE_POLICY };
  for (const layer of layers) {
    if (layer == null) continue;
    const policy = typeof layer === 'string' ? PRESETS[layer] : layer;
    for (const field of BOOLEAN_FIELDS) effective[field] ||= policy[field] ?? false;
    for (const field of AT_LEAST_FIELDS) effective[field] = Math.max(effective[field], policy[field] ?? 0);
    effective.maxLength = Math.min(effective.maxLength, policy.maxLength ?? PASSWORD_HARD_MAX_LENGTH);
  }
  return effective;
}

/** The fields in which `policy` is weaker than `floor`; empty when it is at least as strict. */
export function isAtLeastAsStrict(policy: PasswordPolicy, floor: PasswordPolicy): PasswordPolicyField[] {
  const weaker: PasswordPolicyField[] = [];
  for (const field of Object.keys(PERMISSIVE_POLICY) as PasswordPolicyField[]) {
    const tooLax =
      field === 'maxLength' ? policy.maxLength > floor.maxLength : Number(policy[field]) < Number(floor[field]);
    if (tooLax) weaker.push(field);
  }
  return weaker;
}

export interface PolicyFieldError {
  field: PasswordPolicyField;
  message: string;
}

/** Range checks for a policy someone submitted; an empty list means it can be stored. */
export function policyFieldErrors(policy: PasswordPolicy): PolicyFieldError[] {
  const errors: PolicyFieldError[] = [];
  const checkInteger = (field: PasswordPolicyField, min: number, max: number) => {
    const value = policy[field];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      errors.push({ field, message: `Must be a whole number from ${min} to ${max}.` });
    }
  };
  checkInteger('minLength', 1, PASSWORD_MIN_LENGTH_CEILING);
  checkInteger('maxLength', PASSWORD_MAX_LENGTH_FLOOR, PASSWORD_HARD_MAX_LENGTH);
  checkInteger('minScore', 0, PASSWORD_MAX_SCORE);
  checkInteger('historySize', 0, PASSWORD_MAX_HISTORY_SIZE);
  for (const field of BOOLEAN_FIELDS) {
    if (typeof policy[field] !== 'boolean') errors.push({ field, message: 'Must be true or false.' });
  }
  return errors;
}
