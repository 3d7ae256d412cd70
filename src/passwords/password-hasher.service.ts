import { Inject, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { CONFIG, type Config } from '../config/config.js';

// Dovecot's scheme prefix: Postfix and Dovecot read this column as it is and verify the
// password themselves (README, "Mail services"). @node-rs/argon2 writes `m=,t=,p=` in the order
// Dovecot 2.3 accepts; the npm `argon2` package does not.
const SCHEME = '{ARGON2ID}';
const VERIFIABLE = /^\{ARGON2I(?:D)?\}(\$argon2id?\$.*)$/s;

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

  /** Whether this process can verify `stored` itself (imported crypt hashes only Dovecot can). */
  canVerify(stored: string): boolean {
    return VERIFIABLE.test(stored);
  }

  async verify(stored: string, password: string): Promise<boolean> {
    const match = VERIFIABLE.exec(stored);
    return match ? verify(match[1], password) : false;
  }
}
