import { z } from 'zod';
import type { Config } from '../config/config.js';
import { type FieldError, Problem } from '../common/problem.js';

// Sending limits of a mailbox and of a domain: messages and recipients per hour and per day.
// Windows are fixed and aligned to UTC (each hour, each day) on Redis's clock, so every API
// process counts in the same window; Retry-After is the time until the window that refused ends.
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const SEND_LIMIT_FIELDS = ['messagesPerHour', 'messagesPerDay', 'recipientsPerHour', 'recipientsPerDay'] as const;
export type SendLimitField = (typeof SEND_LIMIT_FIELDS)[number];
export type SendLimits = Record<SendLimitField, number>;

/** What a reseller may store on a domain or mailbox: any subset; null clears all. */
export const SendLimitsDto = z
  .object(Object.fromEntries(SEND_LIMIT_FIELDS.map((f) => [f, z.number().int().min(0).nullable()])) as Record<SendLimitField, z.ZodNullable<z.ZodNumber>>)
  .partial()
  .strict()
  .nullable()
  .describe('Outgoing-mail limits; a missing or null field means the platform cap.');
export type SendLimitsDto = z.infer<typeof SendLimitsDto>;

export function platformCaps(config: Config): SendLimits {
  return {
    messagesPerHour: config.OUTBOUND_CAP_MESSAGES_PER_HOUR,
    messagesPerDay: config.OUTBOUND_CAP_MESSAGES_PER_DAY,
    recipientsPerHour: config.OUTBOUND_CAP_RECIPIENTS_PER_HOUR,
    recipientsPerDay: config.OUTBOUND_CAP_RECIPIENTS_PER_DAY,
  };
}

/** The stored JSON without its unset fields, or null when nothing is left. */
export function storedLimits(dto: SendLimitsDto): Partial<SendLimits> | null {
  const set = Object.entries(dto ?? {}).filter(([, v]) => v !== null && v !== undefined);
  return set.length ? (Object.fromEntries(set) as Partial<SendLimits>) : null;
}

/** 422 `over_platform_cap` for each field above the platform's cap. */
export function assertWithinCaps(limits: Partial<SendLimits> | null, caps: SendLimits, field = 'sendLimits'): void {
  const errors: FieldError[] = SEND_LIMIT_FIELDS.filter((f) => (limits?.[f] ?? 0) > caps[f]).map((f) => ({
    field: `${field}.${f}`, code: 'over_platform_cap', message: `The platform allows at most ${caps[f]}.`,
  }));
  if (errors.length) throw new Problem(422, 'over_platform_cap', 'A sending limit is above the platform cap.', errors);
}

/** Stored limits (possibly written before a cap was lowered) over the caps, never above them. */
export function effectiveLimits(stored: unknown, caps: SendLimits): SendLimits {
  const own = (stored && typeof stored === 'object' ? stored : {}) as Partial<Record<SendLimitField, unknown>>;
  return Object.fromEntries(SEND_LIMIT_FIELDS.map((f) => {
    const value = own[f];
    return [f, typeof value === 'number' ? Math.min(value, caps[f]) : caps[f]];
  })) as SendLimits;
}

/** One counter: a scope (`mailbox:<id>`, `domain:<id>`), what it counts, and its window. */
export interface SendCounter {
  key: string;
  limit: number;
  increment: number;
  windowMs: number;
}

/** The eight (or, for an address without a mailbox, four) counters one message moves. */
export function countersFor(
  scopes: { scope: string; limits: SendLimits }[],
  recipients: number,
): SendCounter[] {
  return scopes.flatMap(({ scope, limits }) => [
    { key: `${scope}:messages:h`, limit: limits.messagesPerHour, increment: 1, windowMs: HOUR_MS },
    { key: `${scope}:messages:d`, limit: limits.messagesPerDay, increment: 1, windowMs: DAY_MS },
    { key: `${scope}:recipients:h`, limit: limits.recipientsPerHour, increment: recipients, windowMs: HOUR_MS },
    { key: `${scope}:recipients:d`, limit: limits.recipientsPerDay, increment: recipients, windowMs: DAY_MS },
  ]);
}
