import { domainToASCII, domainToUnicode } from 'node:url';

// Domain names are stored lower-case as A-labels (punycode); the Unicode form is derived for
// responses. Limits from RFC 1035 §2.3.4 and RFC 5321 §4.5.3.1.
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 254;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// RFC 5322 dot-atom, ASCII only (no SMTPUTF8 local parts): no quoting, no control characters.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// Anything outside printable text is refused before IDNA mapping can hide it.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Z}]/u;

export type NameError = { code: string; message: string };

export function normalizeDomain(input: string): { name: string } | NameError {
  if (UNPRINTABLE.test(input)) return { code: 'invalid_characters', message: 'Domain names cannot contain spaces or control characters.' };
  const name = domainToASCII(input.replace(/\.$/, ''));
  if (!name) return { code: 'invalid_domain', message: 'This is not a valid domain name.' };
  if (name.length > MAX_DOMAIN_LENGTH) return { code: 'too_long', message: `Domain names are at most ${MAX_DOMAIN_LENGTH} characters.` };
  const labels = name.split('.');
  if (labels.length < 2) return { code: 'invalid_domain', message: 'A domain name needs at least two labels.' };
  const bad = labels.find((label) => label.length > MAX_LABEL_LENGTH || !LABEL.test(label));
  if (bad !== undefined) return { code: 'invalid_domain', message: `"${bad}" is not a valid domain label.` };
  if (/^\d+$/.test(labels.at(-1)!)) return { code: 'invalid_domain', message: 'The top-level label cannot be numeric.' };
  return { name };
}

export function unicodeDomain(name: string): string {
  return domainToUnicode(name);
}

export interface Address {
  localPart: string;
  domain: string;
  address: string;
}

export function parseAddress(input: string): Address | NameError {
  if (input.length > MAX_ADDRESS_LENGTH) return { code: 'too_long', message: `Addresses are at most ${MAX_ADDRESS_LENGTH} characters.` };
  if (UNPRINTABLE.test(input)) return { code: 'invalid_characters', message: 'Addresses cannot contain spaces or control characters.' };
  const at = input.lastIndexOf('@');
  if (at < 1) return { code: 'invalid_address', message: 'An address looks like name@example.com.' };
  const localPart = input.slice(0, at).toLowerCase();
  if (localPart.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(localPart)) {
    return { code: 'invalid_local_part', message: 'The part before @ is not a valid mailbox name.' };
  }
  const domain = normalizeDomain(input.slice(at + 1));
  if (!('name' in domain)) return domain;
  return { localPart, domain: domain.name, address: `${localPart}@${domain.name}` };
}
