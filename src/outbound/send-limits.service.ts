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

/** The first counter that has no room left, and the ms until its window ends. */
export interface SendRefusal {
  counter: SendCounter;
  retryAfterMs: number;
}

type Script = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;
// Registered once per connection: ioredis then sends EVALSHA (the script's text only when Redis
// has not seen it yet), not the whole script with every message.
const SCRIPTS = { pmSendReserve: RESERVE, pmSendRefund: REFUND };

@Injectable()
export class SendLimitsService {
  private readonly scripts: Record<keyof typeof SCRIPTS, Script>;

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { lua });
    const commands = redis as unknown as Record<keyof typeof SCRIPTS, Script>;
    this.scripts = {
      pmSendReserve: commands.pmSendReserve.bind(redis),
      pmSendRefund: commands.pmSendRefund.bind(redis),
    };
  }

  /** Counts one message in every counter, or throws 429 with Retry-After and counts nothing. */
  async reserve(counters: SendCounter[]): Promise<SendReservation> {
    const result = await this.tryReserve(counters);
    if ('refused' in result) throw limitProblem(result.refused);
    return result;
  }

  /** `reserve` without the 429: the reservation, or the counter that refused (nothing counted). */
  async tryReserve(counters: SendCounter[]): Promise<SendReservation | { refused: SendRefusal }> {
    const args = counters.flatMap((c) => [c.limit, c.increment, c.windowMs]);
    const [refused, value, ...used] = (await this.scripts.pmSendReserve(counters.length, ...counters.map((c) => KEY_PREFIX + c.key), ...args)) as number[];
    if (refused === 0) return { counters, at: value, used };
    return { refused: { counter: counters[refused - 1], retryAfterMs: value } };
  }

  /**
   * Whether every counter has room for its increment, counting nothing: the policy service asks
   * this at each RCPT TO and counts the message (RESERVE) only once its recipients are known. A
   * plain MGET on this process's clock, not a script on Redis's: nothing is counted, so a few ms
   * of clock skew at a window's edge only changes which window is read, while the count itself
   * (RESERVE) keeps Redis's clock.
   */
  async check(counters: SendCounter[]): Promise<SendRefusal | null> {
    const now = Date.now();
    const windows = counters.map((c) => Math.floor(now / c.windowMs));
    const used = await this.redis.mget(...counters.map((c, i) => `${KEY_PREFIX}${c.key}:${windows[i]}`));
    const full = counters.findIndex((c, i) => Number(used[i] ?? 0) + c.increment > c.limit);
    return full < 0 ? null : { counter: counters[full], retryAfterMs: (windows[full] + 1) * counters[full].windowMs - now };
  }

  async refund(reservation: SendReservation): Promise<void> {
    const { counters, at } = reservation;
    await this.scripts.pmSendRefund(counters.length, ...counters.map((c) => KEY_PREFIX + c.key), at, ...counters.flatMap((c) => [c.increment, c.windowMs]));
  }
}

function limitProblem({ counter, retryAfterMs }: SendRefusal): Problem {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const [scope, , metric] = counter.key.split(':');
  const per = counter.windowMs === 3_600_000 ? 'hour' : 'day';
  return new Problem(429, 'send_limit_exceeded', `The ${scope}'s limit of ${counter.limit} ${metric} per ${per} is reached.`, undefined, {
    'retry-after': String(retryAfter),
  });
}
