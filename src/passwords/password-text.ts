// Control characters cannot be typed reliably into a mail client. A lone surrogate code unit (or
// U+FFFD, what a decoder puts in place of bad bytes) means the input was not valid UTF-8/UTF-16,
// so the hash would not match what the user types at login.
const INVALID_CHARACTER = /[\p{Cc}\p{Cs}\uFFFD]/u;
const LOWERCASE_LETTER = /\p{Ll}/u;
const UPPERCASE_LETTER = /\p{Lu}/u;
const DIGIT = /\p{Nd}/u;
// Punctuation, symbols and spaces all count: users type them from the same keyboard rows.
const SYMBOL = /[\p{P}\p{S}\p{Zs}]/u;

export interface CharacterClasses {
  lower: boolean;
  upper: boolean;
  digit: boolean;
  symbol: boolean;
}

/**
 * NFKC so that visually identical input (full-width letters, ligatures, composed vs decomposed
 * accents) is measured and compared alike (SP 800-63B §5.1.1.2). Only for checking: the hash is
 * made of the password as typed, since that is what the mail services verify.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export function hasInvalidCharacters(password: string): boolean {
  return INVALID_CHARACTER.test(password);
}

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function characterClasses(password: string): CharacterClasses {
  return {
    lower: LOWERCASE_LETTER.test(password),
    upper: UPPERCASE_LETTER.test(password),
    digit: DIGIT.test(password),
    symbol: SYMBOL.test(password),
  };
}
