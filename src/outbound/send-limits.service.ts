import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Problem } from '../common/problem.js';
import { REDIS } from '../redis/redis.module.js';
import type { SendCounter } from './send-limits.js';

const KEY_PREFIX = 'sendlimit:';
// Each window's counter lives a little past the window's end (a refund may still arrive for it).
const COUNTER_GRACE_MS = 60_000;

// Checks every counter and, only if all have room, counts in all of them: one script, so
// concurrent sends from any number of processes never overshoot a limit. The window is taken
// from Redis's own clock (TIME), the one clock every process shares.
// Returns {0, now, each counter's count after this message} when counted, or {index of the first
// full counter, ms until its window ends}.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local names = {}
for i = 1, #KEYS do
  local limit, increment, window = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  local index = math.floor(now / window)
  names[i] = KEYS[i] .. ':' .. string.format('%d', index)
  local used = tonumber(redis.call('GET', names[i]) or '0')
  if used + increment > limit then return {i, (index + 1) * window - now} end
end
local counted = {0, now}
for i = 1, #KEYS do
  local window = tonumber(ARGV[3*i])
  counted[i + 2] = redis.call('INCRBY', names[i], tonumber(ARGV[3*i-1]))
  redis.call('PEXPIRE', names[i], string.format('%d', (math.floor(now / window) + 1) * window - now + ${COUNTER_GRACE_MS}))
end
return counted`;

// Gives back what RESERVE counted at time ARGV[1] (the message was not accepted after all).
const REFUND = `
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  local name = KEYS[i] .. ':' .. string.format('%d', math.floor(now / tonumber(ARGV[2*i+1])))
  if redis.call('EXISTS', name) == 1 then redis.call('DECRBY', name, tonumber(ARGV[2*i])) end
end
return 0`;

/** A reservation made by `reserve`; `refund` it when the message is not accepted after all. */
export interface SendReservation {
  counters: SendCounter[];
  at: number;
  /** Each counter's count in its current window, this message included (the sending monitor's trigger). */
  used: number[];
}

@Injectable()
export class SendLimitsService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Counts one message in every counter, or throws 429 with Retry-After and counts nothing. */
  async reserve(counters: SendCounter[]): Promise<SendReservation> {
    const args = counters.flatMap((c) => [c.limit, c.increment, c.windowMs]);
    const [refused, value, ...used] = (await this.redis.eval(RESERVE, counters.length, ...counters.map((c) => KEY_PREFIX + c.key), ...args)) as number[];
    if (refused === 0) return { counters, at: value, used };
    const counter = counters[refused - 1];
    const retryAfter = Math.max(1, Math.ceil(value / 1000));
    const [scope, , metric] = counter.key.split(':');
    const per = counter.windowMs === 3_600_000 ? 'hour' : 'day';
    throw new Problem(429, 'send_limit_exceeded', `The ${scope}'s limit of ${counter.limit} ${metric} per ${per} is reached.`, undefined, {
      'retry-after': String(retryAfter),
    });
  }

  async refund(reservation: SendReservation): Promise<void> {
    const { counters, at } = reservation;
    await this.redis.eval(REFUND, counters.length, ...counters.map((c) => KEY_PREFIX + c.key), at, ...counters.flatMap((c) => [c.increment, c.windowMs]));
  }
}
