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

// Ceilings on an imported hash's cost. The API verifies stored hashes itself (password change,
// reuse history) and Dovecot verifies them at every login, so one hash at argon2 m≈10 GB or
// bcrypt cost 31 is a denial of service on both. These sit well above what panels issue
// (Dovecot's argon2 default is m=64 MiB, t=3, p=1; bcrypt 10–12; glibc's SHA-crypt 5,000 rounds).
export const ARGON2_MAX_MEMORY_KIB = 262_144; // 256 MiB
export const ARGON2_MAX_TIME_COST = 10; // passes over memory
export const ARGON2_MAX_PARALLELISM = 4; // lanes
export const BCRYPT_MAX_COST = 14; // log2 of the rounds
export const SHA_CRYPT_MAX_ROUNDS = 1_000_000;

export type HashCheck =
  | { scheme: string }
  | { code: 'unknown_hash_scheme' | 'malformed_hash' | 'hash_cost_too_high'; message: string };

/** Why a well-formed hash costs too much to verify, or null. */
function costProblem(scheme: string, hash: string): string | null {
  const tooHigh = (what: string, value: number, max: number) => (value > max ? `${scheme} ${what} ${value} is above the ceiling of ${max}.` : null);
  if (scheme.startsWith('ARGON2')) {
    const [, m, t, p] = /\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash)!.map(Number);
    return tooHigh('memory (KiB)', m, ARGON2_MAX_MEMORY_KIB) ?? tooHigh('time cost', t, ARGON2_MAX_TIME_COST)
      ?? tooHigh('parallelism', p, ARGON2_MAX_PARALLELISM);
  }
  if (scheme === 'BLF-CRYPT') return tooHigh('cost', Number(hash.slice(4, 6)), BCRYPT_MAX_COST);
  const rounds = /^\$[56]\$rounds=(\d+)\$/.exec(hash);
  return rounds ? tooHigh('rounds', Number(rounds[1]), SHA_CRYPT_MAX_ROUNDS) : null;
}

export function checkImportedHash(stored: string): HashCheck {
  const match = /^\{([A-Z0-9-]+)\}(.*)$/s.exec(stored);
  const pattern = match && SCHEMES[match[1]];
  if (!match || !pattern) {
    return { code: 'unknown_hash_scheme', message: `Hashes must start with one of ${IMPORTABLE_SCHEMES.map((s) => `{${s}}`).join(', ')}.` };
  }
  if (!pattern.test(match[2])) return { code: 'malformed_hash', message: `This is not a valid ${match[1]} hash.` };
  const tooCostly = costProblem(match[1], match[2]);
  if (tooCostly) return { code: 'hash_cost_too_high', message: tooCostly };
  return { scheme: match[1] };
}
