import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UseGuards, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { Redis } from 'ioredis';
import { Problem } from '../common/problem.js';
import { CONFIG, type Config } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';

const FAMILY = 'pm:public-rate-family';
const SECOND_MS = 1000;

/**
 * The routes anyone may call without credentials (the mail-client documents, the lookup page,
 * the MTA-STS policy) each cost database queries: each family of them is limited per client IP
 * to PUBLIC_RATE_LIMIT_REQUESTS per PUBLIC_RATE_LIMIT_WINDOW_SECONDS, with 429 and Retry-After.
 */
export const PublicRateLimited = (family: string) => applyDecorators(SetMetadata(FAMILY, family), UseGuards(PublicRateLimitGuard));

// A fixed-window counter per family and client in Redis, so every API process shares the count.
// It runs as a guard, before validation: malformed requests cost a lookup of the route too.
@Injectable()
export class PublicRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const family = this.reflector.getAllAndOverride<string>(FAMILY, [context.getHandler(), context.getClass()]);
    await this.hit(family, context.switchToHttp().getRequest<FastifyRequest>().ip);
    return true;
  }

  /** Counts one request of `family` by `ip`; throws 429 with Retry-After once the window's allowance is spent. */
  async hit(family: string, ip: string, now = Date.now()): Promise<void> {
    const windowMs = this.config.PUBLIC_RATE_LIMIT_WINDOW_SECONDS * SECOND_MS;
    const window = Math.floor(now / windowMs);
    const key = `public-rate:${family}:${clientKey(ip)}:${window}`;
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, windowMs).exec()) as [[null, number]];
    if (count <= this.config.PUBLIC_RATE_LIMIT_REQUESTS) return;
    const retryAfterSeconds = Math.ceil(((window + 1) * windowMs - now) / SECOND_MS);
    throw new Problem(429, 'rate_limited', `Too many requests from your address; try again in ${retryAfterSeconds} s.`, undefined, {
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
