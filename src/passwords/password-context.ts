import { domainToUnicode } from 'node:url';

/** What the password must not contain: facts about the account it protects. */
export interface PasswordContext {
  localPart?: string;
  /** A-label (punycode) or Unicode form. */
  domain?: string;
  displayName?: string;
}

export type PasswordContextKind = 'localPart' | 'domain' | 'displayName';
export type PasswordContextTokens = Record<PasswordContextKind, string[]>;

// Shorter tokens ("jo", "io") would reject far too many unrelated passwords.
const MIN_CONTEXT_TOKEN_LENGTH = 3;
// Both sides are folded through this table, so "4l1c3" and "alice" meet at "aiice".
const LOOKALIKES: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  l: 'i',
  '!': 'i',
  '|': 'i',
  '3': 'e',
  '4': 'a',
  '@': 'a',
  $: 's',
  '5': 's',
  '7': 't',
};
// Second-level labels of country domains (example.co.uk, example.com.au) say nothing about the user.
const GENERIC_DOMAIN_LABELS = new Set(['com', 'net', 'org', 'edu', 'gov', 'co', 'ac', 'ltd', 'plc']);
const WORD_SEPARATORS = /[^\p{L}\p{N}]+/u;
const COMBINING_MARKS = /\p{M}/gu;

/** Lower-cased tokens per kind, as the user would recognize them (also zxcvbn's user inputs). */
export function contextTokens(context: PasswordContext): PasswordContextTokens {
  return {
    localPart: keepLongTokens(context.localPart ? withWords(context.localPart) : []),
    domain: keepLongTokens(context.domain ? domainTokens(context.domain) : []),
    displayName: keepLongTokens(context.displayName ? words(context.displayName) : []),
  };
}

/** The kinds of context found in the password, forwards or backwards, look-alikes folded. */
export function contextKindsFound(password: string, tokens: PasswordContextTokens): PasswordContextKind[] {
  const haystack = foldLookalikes(password);
  const contains = (token: string) => {
    const needle = foldLookalikes(token);
    return haystack.includes(needle) || haystack.includes(reverse(needle));
  };
  return (Object.keys(tokens) as PasswordContextKind[]).filter((kind) => tokens[kind].some(contains));
}

export function foldLookalikes(text: string): string {
  const plain = text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
  let folded = '';
  for (const character of plain) folded += LOOKALIKES[character] ?? character;
  return folded;
}

function domainTokens(domain: string): string[] {
  const ascii = domain.trim().toLowerCase().replace(/\.$/, '');
  const unicode = domainToUnicode(ascii) || ascii;
  const labels = unicode.split('.').slice(0, -1).filter((label) => !GENERIC_DOMAIN_LABELS.has(label));
  return labels.flatMap(withWords);
}

function withWords(text: string): string[] {
  const whole = text.trim().toLowerCase();
  return [whole, ...words(whole)];
}

function words(text: string): string[] {
  return text.toLowerCase().split(WORD_SEPARATORS);
}

function keepLongTokens(tokens: string[]): string[] {
  const long = tokens.filter((token) => [...foldLookalikes(token)].length >= MIN_CONTEXT_TOKEN_LENGTH);
  return [...new Set(long)];
}

function reverse(text: string): string {
  return [...text].reverse().join('');
}
