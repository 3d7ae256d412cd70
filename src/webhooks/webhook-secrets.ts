import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { deriveKey, open, seal } from '../common/secrets.js';

// Opened secrets kept by their sealed bytes (a rotation seals a new blob, so it never hits a
// stale entry): the worker opens an endpoint's secret once, not on every attempt. Beyond this
// many the cache starts again empty.
const OPENED_CACHE_ENTRIES = 1_000;

/** Signing secrets are stored sealed (AES-GCM under a key derived for this purpose alone). */
@Injectable()
export class WebhookSecrets {
  private readonly key: Buffer;
  private readonly opened = new Map<string, string>();

  constructor(@Inject(CONFIG) config: Config) {
    this.key = deriveKey(config, 'webhook-secret');
  }

  seal(secret: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(seal(this.key, Buffer.from(secret, 'utf8')));
  }

  open(sealed: Uint8Array): string {
    return open(this.key, sealed).toString('utf8');
  }

  /** The secrets that sign now: the current one, and the previous one during its grace period. */
  signing(endpoint: { secret: Uint8Array; previousSecret: Uint8Array | null; previousSecretUntil: Date | null }, now = new Date()): string[] {
    const current = this.openCached(endpoint.secret);
    const previousValid = endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > now;
    return previousValid ? [current, this.openCached(endpoint.previousSecret!)] : [current];
  }

  private openCached(sealed: Uint8Array): string {
    const key = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength).toString('base64');
    let secret = this.opened.get(key);
    if (secret === undefined) {
      if (this.opened.size >= OPENED_CACHE_ENTRIES) this.opened.clear();
      secret = this.open(sealed);
      this.opened.set(key, secret);
    }
    return secret;
  }
}
