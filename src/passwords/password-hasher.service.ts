import { Inject, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { CONFIG, type Config } from '../config/config.js';
import { verifyShaCrypt } from './sha-crypt.js';

// Dovecot's scheme prefix: Postfix and Dovecot read this column as it is and verify the
// password themselves (README, "Mail services"). @node-rs/argon2 writes `m=,t=,p=` in the order
// Dovecot 2.3 accepts; the npm `argon2` package does not.
const SCHEME = '{ARGON2ID}';
const VERIFIABLE = /^\{ARGON2I(?:D)?\}(\$argon2id?\$.*)$/s;
// Imported from other panels (hash-schemes.ts): every importable scheme is verifiable here too, so
// an owner with an imported hash can log in to the dashboard and change the password themselves.
const SHA_CRYPT = /^\{SHA(?:256|512)-CRYPT\}(\$[56]\$.*)$/s;
// $2x$ is crypt_blowfish's marker for hashes made by its pre-2011 sign-extension bug; for passwords
// without 8-bit characters they equal $2a$ ones, which is how bcryptjs (no $2x$) can check them.
const BLF_CRYPT = /^\{BLF-CRYPT\}\$2([abxy])(\$.*)$/s;

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
    const argon2 = VERIFIABLE.exec(stored);
    if (argon2) return verify(argon2[1], password);
    const shaCrypt = SHA_CRYPT.exec(stored);
    if (shaCrypt) return verifyShaCrypt(shaCrypt[1], password);
    const blowfish = BLF_CRYPT.exec(stored);
    // Import caps the cost at BCRYPT_MAX_COST (hash-schemes.ts); bcryptjs yields to the event loop between rounds.
    return blowfish ? bcrypt.compare(password, `$2${blowfish[1] === 'x' ? 'a' : blowfish[1]}${blowfish[2]}`) : false;
  }
}
