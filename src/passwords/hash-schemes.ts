// Hashes imported from another panel are stored as they are, in Dovecot's `{SCHEME}hash` form, and
// verified by Dovecot itself; the password behind them is unknown, so they cannot be re-hashed.
// Each pattern is the scheme's exact modular-crypt syntax, so a truncated or mangled hash is
// refused at import instead of locking the user out later.
const SCHEMES: Record<string, RegExp> = {
  'BLF-CRYPT': /^\$2[abxy]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/,
  'SHA512-CRYPT': /^\$6\$(rounds=\d{4,9}\$)?[^$:\s]{1,16}\$[./A-Za-z0-9]{86}$/,
  'SHA256-CRYPT': /^\$5\$(rounds=\d{4,9}\$)?[^$:\s]{1,16}\$[./A-Za-z0-9]{43}$/,
  ARGON2I: /^\$argon2i\$v=19\$m=\d{1,7},t=\d{1,3},p=\d{1,3}\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/,
  ARGON2ID: /^\$argon2id\$v=19\$m=\d{1,7},t=\d{1,3},p=\d{1,3}\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/,
};

export const IMPORTABLE_SCHEMES = Object.keys(SCHEMES);

export type HashCheck = { scheme: string } | { code: 'unknown_hash_scheme' | 'malformed_hash'; message: string };

export function checkImportedHash(stored: string): HashCheck {
  const match = /^\{([A-Z0-9-]+)\}(.*)$/s.exec(stored);
  const pattern = match && SCHEMES[match[1]];
  if (!match || !pattern) {
    return { code: 'unknown_hash_scheme', message: `Hashes must start with one of ${IMPORTABLE_SCHEMES.map((s) => `{${s}}`).join(', ')}.` };
  }
  if (!pattern.test(match[2])) return { code: 'malformed_hash', message: `This is not a valid ${match[1]} hash.` };
  return { scheme: match[1] };
}
