import { Inject, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { CONFIG, type Config } from '../config/config.js';

// Dovecot's scheme prefix: Postfix and Dovecot read this column as it is and verify the
// password themselves (README, "Mail services"). @node-rs/argon2 writes `m=,t=,p=` in the order
// Dovecot 2.3 accepts; the npm `argon2` package does not.
const SCHEME = '{ARGON2ID}';

@Injectable()
export class PasswordHasher {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** Runs on libuv's thread pool, so the event loop keeps answering while it hashes. */
  async hash(password: string): Promise<string> {
    const encoded = await hash(password, {
      algorithm: Algorithm.Argon2id,
      memoryCost: this.config.ARGON2_MEMORY_KIB,
      timeCost: this.config.ARGON2_TIME_COST,
      parallelism: this.config.ARGON2_PARALLELISM,
    });
    return SCHEME + encoded;
  }

  async verify(stored: string, password: string): Promise<boolean> {
    if (!stored.startsWith(SCHEME)) return false;
    return verify(stored.slice(SCHEME.length), password);
  }
}
