import { createHash, timingSafeEqual } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

// SHA-crypt ($5$ SHA-256, $6$ SHA-512), as specified by Ulrich Drepper ("Unix crypt using
// SHA-256 and SHA-512", https://www.akkadia.org/drepper/SHA-crypt.txt) and written by glibc and
// Dovecot's SHA256-CRYPT / SHA512-CRYPT. Only verification is needed: Postmaster writes ARGON2ID.

const ROUNDS_DEFAULT = 5_000;
const ROUNDS_MIN = 1_000;
const ROUNDS_MAX = 999_999_999;
const SALT_MAX_CHARS = 16;
// The rounds loop yields to the event loop this often, so a 1,000,000-round hash (the import
// ceiling, SHA_CRYPT_MAX_ROUNDS) does not hold every other request up while it is verified.
const ROUNDS_PER_SLICE = 2_000;

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface Variant {
  algorithm: 'sha256' | 'sha512';
  size: number;
  // The spec's byte order for the final encoding: triples, then the leftover bytes.
  triples: [number, number, number][];
  tail: (digest: Buffer) => string;
}

const SHA256: Variant = {
  algorithm: 'sha256',
  size: 32,
  triples: [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]],
  tail: (d) => encode24(0, d[31], d[30], 3),
};

const SHA512: Variant = {
  algorithm: 'sha512',
  size: 64,
  triples: [
    [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
    [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
  ],
  tail: (d) => encode24(0, 0, d[63], 2),
};

const CRYPT = /^\$([56])\$(?:rounds=(\d{1,9})\$)?([^$]*)\$([./0-9A-Za-z]+)$/;

/** Whether `password` matches a `$5$…` or `$6$…` hash (without Dovecot's `{SCHEME}` prefix). */
export async function verifyShaCrypt(hash: string, password: string): Promise<boolean> {
  const match = CRYPT.exec(hash);
  if (!match) return false;
  const variant = match[1] === '5' ? SHA256 : SHA512;
  const rounds = match[2] === undefined ? ROUNDS_DEFAULT : Math.min(Math.max(Number(match[2]), ROUNDS_MIN), ROUNDS_MAX);
  const salt = Buffer.from(match[3], 'utf8').subarray(0, SALT_MAX_CHARS);
  const expected = Buffer.from(match[4]);
  const computed = Buffer.from(await shaCryptDigest(variant, Buffer.from(password, 'utf8'), salt, rounds));
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

async function shaCryptDigest(v: Variant, key: Buffer, salt: Buffer, rounds: number): Promise<string> {
  const h = () => createHash(v.algorithm);
  const b = h().update(key).update(salt).update(key).digest();

  const a = h().update(key).update(salt);
  a.update(repeatTo(b, key.length));
  for (let n = key.length; n > 0; n >>= 1) a.update(n & 1 ? b : key);
  let c = a.digest();

  const dp = h();
  for (let i = 0; i < key.length; i++) dp.update(key);
  const p = repeatTo(dp.digest(), key.length);

  const ds = h();
  for (let i = 0; i < 16 + c[0]; i++) ds.update(salt);
  const s = repeatTo(ds.digest(), salt.length);

  for (let i = 0; i < rounds; i++) {
    const round = h();
    round.update(i & 1 ? p : c);
    if (i % 3) round.update(s);
    if (i % 7) round.update(p);
    round.update(i & 1 ? c : p);
    c = round.digest();
    if (i % ROUNDS_PER_SLICE === ROUNDS_PER_SLICE - 1) await yieldToEventLoop();
  }
  return v.triples.map(([x, y, z]) => encode24(c[x], c[y], c[z], 4)).join('') + v.tail(c);
}

/** `source` repeated and cut to `length` bytes (the spec adds whole digests, then a prefix). */
function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i));
  return out;
}

function encode24(b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++, w >>= 6) out += ALPHABET[w & 0x3f];
  return out;
}
