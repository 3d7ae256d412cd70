import { isCommonPassword } from './common-passwords.js';
import { contextKindsFound, contextTokens, type PasswordContext, type PasswordContextKind } from './password-context.js';
import type { PasswordPolicy } from './password-policy.js';
import { strengthScore } from './password-strength.js';
import { characterClasses, codePointLength, hasInvalidCharacters, normalizePassword } from './password-text.js';

export type PasswordViolationCode =
  | 'invalid_characters'
  | 'too_short'
  | 'too_long'
  | 'missing_lowercase'
  | 'missing_uppercase'
  | 'missing_digit'
  | 'missing_symbol'
  | 'common_password'
  | 'contains_context'
  | 'too_weak'
  | 'reused_password';

// Messages never quote the password or the context words: they end up in logs and API responses.
export interface PasswordViolation {
  code: PasswordViolationCode;
  message: string;
}

export interface PasswordCheckResult {
  ok: boolean;
  violations: PasswordViolation[];
}

/** Hashes of the account's previous passwords, newest first, and the scheme's verifier. */
export interface PasswordHistory {
  hashes: readonly string[];
  verify: (hash: string, password: string) => Promise<boolean>;
}

export interface PasswordCheckInput {
  password: string;
  policy: PasswordPolicy;
  context?: PasswordContext;
  history?: PasswordHistory;
  /** zxcvbn's scorer; the API passes one that runs on a worker thread. */
  score?: (password: string, userInputs: readonly string[]) => number | Promise<number>;
}

const CONTEXT_KIND_NAMES: Record<PasswordContextKind, string> = {
  localPart: "the mailbox's name (the part before @)",
  domain: 'the domain name',
  displayName: "the account's display name",
};

/** Every rule of the policy the password breaks, in a fixed order, so a user can fix all at once. */
export async function checkPassword(input: PasswordCheckInput): Promise<PasswordCheckResult> {
  const { password, policy, context = {}, history, score = strengthScore } = input;
  const violations: PasswordViolation[] = [];
  const violate = (code: PasswordViolationCode, message: string) => violations.push({ code, message });
  const normalized = normalizePassword(password);
  const length = codePointLength(normalized);

  if (hasInvalidCharacters(password)) {
    violate('invalid_characters', 'Passwords cannot contain control characters or invalid Unicode.');
  }
  if (length < policy.minLength) violate('too_short', `Use at least ${policy.minLength} characters.`);
  if (length > policy.maxLength) violate('too_long', `Use at most ${policy.maxLength} characters.`);

  const classes = characterClasses(normalized);
  if (policy.requireLower && !classes.lower) violate('missing_lowercase', 'Add a lower-case letter.');
  if (policy.requireUpper && !classes.upper) violate('missing_uppercase', 'Add an upper-case letter.');
  if (policy.requireDigit && !classes.digit) violate('missing_digit', 'Add a digit.');
  if (policy.requireSymbol && !classes.symbol) violate('missing_symbol', 'Add a symbol, such as punctuation or a space.');

  if (policy.blocklist && isCommonPassword(normalized)) {
    violate('common_password', 'This password is on a list of common or breached passwords.');
  }
  const tokens = contextTokens(context);
  if (policy.context) {
    const kinds = contextKindsFound(normalized, tokens);
    const names = joinWithAnd(kinds.map((kind) => CONTEXT_KIND_NAMES[kind]));
    if (kinds.length > 0) violate('contains_context', `Passwords cannot contain ${names}.`);
  }
  if (policy.minScore > 0 && (await score(normalized, Object.values(tokens).flat())) < policy.minScore) {
    violate('too_weak', 'This password is too easy to guess. Add more words or characters.');
  }
  // The hashes were made of passwords as typed, so the un-normalized password is what is verified.
  if (policy.historySize > 0 && history && (await isReused(password, history, policy.historySize))) {
    const previous = policy.historySize === 1 ? 'your previous one' : `your last ${policy.historySize} passwords`;
    violate('reused_password', `Choose a password different from ${previous}.`);
  }
  return { ok: violations.length === 0, violations };
}

// One at a time: a reused password is most often the latest one, and each verify is a costly hash.
async function isReused(password: string, history: PasswordHistory, historySize: number): Promise<boolean> {
  for (const hash of history.hashes.slice(0, historySize)) {
    if (await history.verify(hash, password)) return true;
  }
  return false;
}

function joinWithAnd(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
