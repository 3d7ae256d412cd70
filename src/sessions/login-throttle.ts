import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Problem } from '../common/problem.js';
import { CONFIG, type Config } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';

const key = {
  account: (email: string) => `web-login:fail:acct:${email}`,
  ip: (ip: string) => `web-login:fail:ip:${ip}`,
};

/**
 * Failed dashboard logins per account and per client IP, in Redis so that every API process
 * counts the same attempts. A fixed window from the first failure: once a count reaches its limit,
 * attempts are refused without checking the password until the window ends (Retry-After).
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async assertAllowed(email: string, ip: string): Promise<void> {
    const [account, byIp] = await Promise.all([this.state(key.account(email)), this.state(key.ip(ip))]);
    const blocked = [
      account.count >= this.config.LOGIN_THROTTLE_ACCOUNT_FAILURES ? account.ttlMs : 0,
      byIp.count >= this.config.LOGIN_THROTTLE_IP_FAILURES ? byIp.ttlMs : 0,
    ];
    const waitMs = Math.max(...blocked);
    if (waitMs > 0) {
      throw new Problem(429, 'too_many_login_attempts', 'Too many failed logins; try again later.', undefined,
        { 'retry-after': String(Math.ceil(waitMs / 1000)) });
    }
  }

  async failed(email: string, ip: string): Promise<void> {
    const window = this.config.LOGIN_THROTTLE_WINDOW_SECONDS;
    await this.redis.multi()
      .incr(key.account(email)).expire(key.account(email), window, 'NX')
      .incr(key.ip(ip)).expire(key.ip(ip), window, 'NX')
      .exec();
  }

  /** A success clears the account's count (its owner got in), not the IP's (it may be guessing others). */
  async succeeded(email: string): Promise<void> {
    await this.redis.del(key.account(email));
  }

  private async state(name: string): Promise<{ count: number; ttlMs: number }> {
    const [[, count], [, ttl]] = (await this.redis.multi().get(name).pttl(name).exec()) as [[null, string | null], [null, number]];
    return { count: Number(count ?? 0), ttlMs: Math.max(0, ttl) };
  }
}
