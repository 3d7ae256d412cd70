// When a message with temporarily failed recipients is tried again, and when it is given up.

export interface RetryPolicy {
  /** Delay before the first retry (OUTBOUND_RETRY_BASE_MS); each later one doubles it. */
  baseMs: number;
  /** The longest wait between two tries (OUTBOUND_RETRY_MAX_MS). */
  maxMs: number;
}

// Up to 20 % shorter than the nominal delay, so messages deferred together (one MX outage) do not
// all come back in the same second. Jitter only shortens: the cap stays a cap.
const JITTER_FRACTION = 0.2;
// 2^31 overflows nothing in JavaScript, but the cap is reached long before; stop doubling there.
const MAX_DOUBLINGS = 30;

/** Delay before try number `attempt + 1`, after `attempt` tries (≥ 1) have failed temporarily. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const doublings = Math.min(Math.max(attempt - 1, 0), MAX_DOUBLINGS);
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** doublings);
  return Math.round(nominal * (1 - JITTER_FRACTION * random()));
}

/**
 * The next try after a temporary failure at `now`, or null when the message has reached its
 * lifetime and its remaining recipients are bounced. The last try happens at the expiry itself
 * rather than a whole interval early, as Postfix's maximal_queue_lifetime does.
 */
export function nextAttemptAt(now: Date, attempt: number, expiresAt: Date, policy: RetryPolicy, random?: () => number): Date | null {
  if (now.getTime() >= expiresAt.getTime()) return null;
  const due = now.getTime() + retryDelayMs(attempt, policy, random);
  return new Date(Math.min(due, expiresAt.getTime()));
}
