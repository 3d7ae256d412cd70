import { domainToUnicode } from 'node:url';
import { getPublicSuffix } from 'tldts';
import { domainName } from '../common/schemas.js';
import type { NameError } from '../common/names.js';

// Scripts a label may combine, as browsers allow (UTS #39 §5.2 "Highly Restrictive", which
// Chromium's IDN display policy follows): one script, or Latin with the scripts written together
// in Japanese, Chinese and Korean. Anything else (Latin with Cyrillic or Greek…) is a spoofing risk.
const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Hebrew', 'Arabic', 'Han', 'Hiragana', 'Katakana', 'Bopomofo', 'Hangul', 'Thai', 'Devanagari', 'Georgian'] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((script) => [script, new RegExp(`\\p{Script=${script}}`, 'u')] as const);
const ALLOWED_SCRIPT_SETS = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];
// Cyrillic letters that look like Latin ones: a label made only of these (`аррӏе`) under a
// non-Cyrillic TLD reads as a Latin word (Chromium's whole-script confusable check).
const LATIN_LOOKALIKE_CYRILLIC = /^[аеорсухіјѕһԁԛԝӏҽ\d-]+$/u;

/**
 * Rules for a name hosted here (a domain or a domain alias), over the syntax rules of
 * `domainName`: not a public suffix (no one owns `co.uk`), and no label that browsers would flag
 * as confusable. `name` is the A-label form.
 */
export function hostedDomainError(name: string): NameError | null {
  if (getPublicSuffix(name, { allowPrivateDomains: true }) === name) {
    return { code: 'public_suffix', message: `${name} is a public suffix (like com or co.uk): add a domain registered under it.` };
  }
  const labels = domainToUnicode(name).split('.');
  const tld = labels.at(-1)!;
  for (const label of labels) {
    const scripts = SCRIPT_PATTERNS.filter(([, pattern]) => pattern.test(label)).map(([script]) => script);
    const allowed = scripts.length <= 1 || ALLOWED_SCRIPT_SETS.some((set) => scripts.every((s) => set.includes(s)));
    const wholeScriptConfusable = scripts.length === 1 && scripts[0] === 'Cyrillic' && LATIN_LOOKALIKE_CYRILLIC.test(label) && !/\p{Script=Cyrillic}/u.test(tld);
    if (!allowed || wholeScriptConfusable) {
      return { code: 'confusable_name', message: `"${label}" ${allowed ? 'is made of letters that look Latin' : `mixes ${scripts.join(' and ')} letters`}, which browsers flag as a possible imitation of another name.` };
    }
  }
  return null;
}

/** A domain name the platform can host: valid syntax, then `hostedDomainError`. */
export const hostedDomainName = domainName.superRefine((name, ctx) => {
  const error = hostedDomainError(name);
  if (error) ctx.addIssue({ code: 'custom', message: error.message, params: { code: error.code } });
});
