import { type Hmac, createHmac } from 'node:crypto';

// What identifies "the same request" for Idempotency-Key: method, URL and body, under a keyed
// hash (bodies carry passwords, and a plain hash of one could be guessed offline).
//
// The body is fed to the HMAC piece by piece and never serialized whole: a raw message/rfc822
// body (up to OUTBOUND_MAX_MESSAGE_BYTES) is hashed as its bytes, and a JSON body in a canonical,
// length-prefixed form (object keys sorted, strings as UTF-16 code units, so that no two values
// share an encoding). Iterative: JSON.parse accepts nesting deep enough to overflow the stack.
export function requestFingerprint(key: Buffer, method: string, url: string, body: unknown): string {
  const hmac = createHmac('sha256', key);
  hmac.update(`${method} ${url.length}:${url}\n`);
  if (Buffer.isBuffer(body)) {
    hmac.update(`B${body.length}:`);
    hmac.update(body);
  } else {
    updateCanonical(hmac, body);
  }
  return hmac.digest('hex');
}

function updateCanonical(hmac: Hmac, root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      hmac.update(`s${value.length}:`);
      hmac.update(value, 'utf16le');
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      hmac.update(`${typeof value === 'number' ? 'd' : 'b'}${String(value)};`);
    } else if (value === null || value === undefined) {
      hmac.update(value === null ? 'n' : 'u');
    } else if (Array.isArray(value)) {
      hmac.update(`a${value.length}:`);
      for (let i = value.length - 1; i >= 0; i--) pending.push(value[i]);
    } else if (typeof value === 'object') {
      const keys = Object.keys(value).sort();
      hmac.update(`o${keys.length}:`);
      // Pushed in reverse, so that each key is hashed right before its value.
      for (let i = keys.length - 1; i >= 0; i--) pending.push((value as Record<string, unknown>)[keys[i]], keys[i]);
    } else {
      hmac.update(`x${String(value)};`);
    }
  }
}
