import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Problem } from '../common/problem.js';
import { CONFIG, type Config } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';

const key = {
  address: (email: string) => `pw-reset:addr:${email}`,
  ip: (ip: string) => `pw-reset:ip:${ip}`,
};

/**
 * Password-reset requests per address and per client IP, in Redis (shared by every API process):
 * otherwise anyone could flood a person's inbox, or Postmaster's outgoing queue, with reset mail.
 * Every request counts, whether or not the account exists, so the 429 says nothing about it.
 */
@Injectable()
export class PasswordResetThrottle {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async take(email: string, ip: string): Promise<void> {
    const window = this.config.PASSWORD_RESET_WINDOW_SECONDS;
    const replies = (await this.redis.multi()
      .incr(key.address(email)).expire(key.address(email), window, 'NX').pttl(key.address(email))
      .incr(key.ip(ip)).expire(key.ip(ip), window, 'NX').pttl(key.ip(ip))
      .exec()) as [null, number][];
    const [byAddress, , addressTtl, byIp, , ipTtl] = replies.map(([, value]) => Number(value));
    const waitMs = Math.max(
      byAddress! > this.config.PASSWORD_RESET_ADDRESS_REQUESTS ? addressTtl! : 0,
      byIp! > this.config.PASSWORD_RESET_IP_REQUESTS ? ipTtl! : 0,
    );
    if (waitMs > 0) {
      throw new Problem(429, 'too_many_reset_requests', 'Too many password-reset requests; try again later.', undefined,
        { 'retry-after': String(Math.ceil(waitMs / 1000)) });
    }
  }
}
