import { Inject, Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import type { Redis } from 'ioredis';
import { Problem } from '../common/problem.js';
import { REDIS } from '../redis/redis.module.js';
import { LOOKUP_RATE_LIMIT_REQUESTS, LOOKUP_RATE_WINDOW_MS } from './settings-lookup.constants.js';

// A fixed-window counter per client in Redis, shared by every API process.
@Injectable()
export class LookupRateLimiter {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Counts one lookup by `ip`; throws 429 with Retry-After once the window's allowance is spent. */
  async hit(ip: string, now = Date.now()): Promise<void> {
    const window = Math.floor(now / LOOKUP_RATE_WINDOW_MS);
    const key = `lookup-rate:${clientKey(ip)}:${window}`;
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, LOOKUP_RATE_WINDOW_MS).exec()) as [[null, number]];
    if (count <= LOOKUP_RATE_LIMIT_REQUESTS) return;
    const retryAfterSeconds = Math.ceil(((window + 1) * LOOKUP_RATE_WINDOW_MS - now) / 1000);
    throw new Problem(429, 'rate_limited', `Too many lookups from your address; try again in ${retryAfterSeconds} s.`, undefined, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

// One IPv6 host usually holds a whole /64, so counting single addresses would not limit it.
function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
