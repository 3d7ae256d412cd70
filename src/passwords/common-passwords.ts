import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

// See data/README.md for where the list comes from and how it is normalized.
const COMMON_PASSWORDS_FILE = new URL('./data/common-passwords.txt.gz', import.meta.url);

let commonPasswords: ReadonlySet<string> | undefined;

/** Reads the list on first use (~100k entries, a few MB in memory) and keeps it for the process. */
export function loadCommonPasswords(): ReadonlySet<string> {
  if (!commonPasswords) {
    const lines = gunzipSync(readFileSync(COMMON_PASSWORDS_FILE)).toString('utf8').split('\n');
    commonPasswords = new Set(lines.filter(Boolean));
  }
  return commonPasswords;
}

/** Expects an NFKC-normalized password; compares case-insensitively like the list was built. */
export function isCommonPassword(normalizedPassword: string): boolean {
  return loadCommonPasswords().has(normalizedPassword.toLowerCase());
}
