import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';

export type KeyPurpose = 'idempotency-hash' | 'idempotency-body' | 'dkim' | 'auth-policy' | 'auth-policy-nonce' | 'domain-verification' | 'webhook-secret' | 'session-csrf' | 'login-challenge'
  | 'totp-secret' | 'totp-recovery';

/** A key for one purpose, derived from POSTMASTER_SECRET: one secret to manage, none reused. */
export function deriveKey(config: Config, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', config.POSTMASTER_SECRET, 'postmaster', purpose, 32));
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: iv ‖ tag ‖ ciphertext. */
export function seal(key: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function open(key: Buffer, sealed: Uint8Array): Buffer {
  const data = Buffer.from(sealed);
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
