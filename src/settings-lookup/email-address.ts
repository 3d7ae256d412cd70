import { normalizeDomain } from '../common/names.js';
import { MAX_EMAIL_LENGTH_OCTETS, MAX_LOCAL_PART_LENGTH_OCTETS } from './settings-lookup.constants.js';

export interface ParsedEmail {
  /** `localPart@domain` with the domain lowercased and in A-label (punycode) form. */
  address: string;
  /** As typed: RFC 5321 §2.4 leaves local-part case to the receiving server. */
  localPart: string;
  domain: string;
}

// RFC 5322 §3.4.1 dot-atom, widened by RFC 6531 §3.3 to non-ASCII. Quoted local parts are
// legal but no mailbox here has one, and refusing them keeps `"`, `<`, `>`, `\` and spaces
// out of every rendered format.
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uD7FF\uE000-\u{10FFFF}]+$/u;
// Controls (C0, DEL, C1), every Unicode space, and invisible format characters (zero-width
// joiners, bidi overrides): junk, header-injection attempts, or an address that renders as
// another one.
const CONTROL_OR_SPACE = /[\p{Cc}\p{Cf}\p{Z}\s]/u;

/** Returns the normalized address, or null for anything that is not a plain mailbox address. */
export function parseEmail(input: unknown): ParsedEmail | null {
  if (typeof input !== 'string' || input.length > MAX_EMAIL_LENGTH_OCTETS) return null;
  if (CONTROL_OR_SPACE.test(input)) return null;
  const parts = input.split('@');
  if (parts.length !== 2) return null;
  const [localPart, rawDomain] = parts;

  if (!isDotAtom(localPart)) return null;
  if (Buffer.byteLength(localPart) > MAX_LOCAL_PART_LENGTH_OCTETS) return null;

  const domain = toHostName(rawDomain);
  if (domain === null) return null;

  const address = `${localPart}@${domain}`;
  if (Buffer.byteLength(address) > MAX_EMAIL_LENGTH_OCTETS) return null;
  return { address, localPart, domain };
}

function isDotAtom(localPart: string): boolean {
  return localPart.split('.').every((atom) => ATOM.test(atom));
}

// The same domain rules as everywhere else (IDNA to A-labels, label syntax, no numeric TLD, so
// no address literal); an address's domain also never ends in the root dot.
function toHostName(raw: string): string | null {
  if (raw.endsWith('.')) return null;
  const domain = normalizeDomain(raw);
  return 'name' in domain ? domain.name : null;
}
