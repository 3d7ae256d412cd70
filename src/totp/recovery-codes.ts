import { createHmac, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
// Two groups of five: 50 random bits each, so an HMAC is a safe lookup hash (there is no
// password to guess, as with API keys) and a person can copy one from paper.
const GROUP_CHARS = 5;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function newRecoveryCodes(): string[] {
  const group = () => Array.from({ length: GROUP_CHARS }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => `${group()}-${group()}`);
}

/** Case, spaces and dashes as typed do not matter. */
export function hashRecoveryCode(key: Buffer, code: string): string {
  return createHmac('sha256', key).update(code.toLowerCase().replace(/[\s-]/g, '')).digest('hex');
}
