import { type RetryPolicy, retryDelayMs } from '../../outbound/delivery/retry-schedule.js';
import type { HttpOutcome } from './webhook-http.js';

export type AttemptVerdict =
  | { kind: 'delivered' }
  | { kind: 'failed'; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs: number | null };

/**
 * 2xx delivered. 429 and 5xx, timeouts, refused connections and 3xx (redirects are not followed,
 * a moved receiver may come back) are tried again; any other 4xx says the receiver will never
 * take this event (410 Gone: the endpoint is gone), so it is final at once.
 */
export function judge(outcome: HttpOutcome, now = Date.now()): AttemptVerdict {
  const { status } = outcome;
  if (status === null) return { kind: 'retry', reason: outcome.error ?? 'no response', retryAfterMs: null };
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 429) return { kind: 'retry', reason: 'HTTP 429', retryAfterMs: retryAfterMs(outcome.retryAfter, now) };
  if (status >= 400 && status < 500) return { kind: 'failed', reason: `HTTP ${status}` };
  return { kind: 'retry', reason: `HTTP ${status}`, retryAfterMs: null };
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * When to try again after attempt number `attempts`, or null when the delivery has reached its
 * lifetime. The receiver's Retry-After wins over the ladder, within the ladder's cap.
 */
export function nextWebhookAttempt(now: Date, attempts: number, expiresAt: Date, policy: RetryPolicy, retryAfter: number | null, random?: () => number): Date | null {
  if (now.getTime() >= expiresAt.getTime()) return null;
  const delay = retryAfter === null ? retryDelayMs(attempts, policy, random) : Math.min(retryAfter, policy.maxMs);
  return new Date(Math.min(now.getTime() + delay, expiresAt.getTime()));
}
