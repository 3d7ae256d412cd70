import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

export type DkimAlgorithm = 'rsa' | 'ed25519';

const generate = promisify(generateKeyPair);
const RSA_MODULUS_BITS = 2048;
// An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte prefix and the raw 32-byte key.
const ED25519_RAW_KEY_BYTES = 32;

export interface DkimKeyPair {
  /** The `p=` value of the DNS record. */
  publicKey: string;
  privateKeyPem: string;
}

/**
 * A new key pair, generated off the event loop (RSA-2048 costs ~50–150 ms). RSA's `p=` is the
 * DER SubjectPublicKeyInfo (RFC 6376 §3.6.1); Ed25519's is the raw 32-byte key (RFC 8463 §4.2).
 */
export async function generateDkimKeyPair(algorithm: DkimAlgorithm): Promise<DkimKeyPair> {
  const { publicKey, privateKey } = algorithm === 'rsa'
    ? await generate('rsa', { modulusLength: RSA_MODULUS_BITS })
    : await generate('ed25519');
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const p = algorithm === 'rsa' ? spki : spki.subarray(spki.length - ED25519_RAW_KEY_BYTES);
  return { publicKey: p.toString('base64'), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The TXT record text published at `<selector>._domainkey.<domain>`. */
export function dkimRecordText(algorithm: DkimAlgorithm, publicKey: string): string {
  return `v=DKIM1; k=${algorithm}; p=${publicKey}`;
}

/**
 * A fresh selector: date, algorithm and a random suffix, so two rotations on one day, or one
 * per algorithm, never collide (selectors are unique per domain).
 */
export function newSelector(algorithm: DkimAlgorithm, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `pm${day}-${algorithm}-${randomBytes(2).toString('hex')}`;
}
