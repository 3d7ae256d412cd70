import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.module.js';
import { hashToken } from './session-tokens.js';

// Long enough to open an authenticator app and type a code, short enough to be useless if leaked.
export const LOGIN_CHALLENGE_TTL_SECONDS = 300;
const CHALLENGE_BYTES = 32;
const key = (challenge: string) => `web-login:challenge:${hashToken(challenge)}`;

/**
 * A password that was right, waiting for its second factor: a random token held in Redis (only its
 * hash as the key), naming the user, usable once and for LOGIN_CHALLENGE_TTL_SECONDS.
 */
@Injectable()
export class LoginChallenges {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** `person`: what person.ts's personRef names (`user:<id>` or `mailbox:<id>`). */
  async issue(person: string): Promise<string> {
    const challenge = randomBytes(CHALLENGE_BYTES).toString('base64url');
    await this.redis.set(key(challenge), person, 'EX', LOGIN_CHALLENGE_TTL_SECONDS);
    return challenge;
  }

  /** The person the challenge was issued for, once; null when unknown, expired or already used. */
  consume(challenge: string): Promise<string | null> {
    return this.redis.getdel(key(challenge));
  }
}
