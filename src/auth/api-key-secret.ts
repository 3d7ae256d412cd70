import { createHash, randomBytes } from 'node:crypto';

// Keys carry 256 random bits, so a plain SHA-256 is a safe and fast lookup hash: there is no
// password to guess. The prefix identifies a key in lists without revealing it.
const KEY_PREFIX = 'pm_';
const VISIBLE_PREFIX_LENGTH = 10;

export function newApiKeySecret(): { key: string; prefix: string; secretHash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, VISIBLE_PREFIX_LENGTH), secretHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX) && token.length < 100;
}
