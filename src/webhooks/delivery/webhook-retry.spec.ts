import { judge, nextWebhookAttempt, retryAfterMs } from './webhook-retry.js';

const outcome = (status: number | null, extra: { error?: string; retryAfter?: string } = {}) =>
  ({ status, error: extra.error ?? null, retryAfter: extra.retryAfter ?? null, excerpt: null, latencyMs: 1 });

describe('webhook retries', () => {
  it('2xx delivered; 429, 5xx, 3xx and network errors retried; other 4xx final', () => {
    expect(judge(outcome(204))).toEqual({ kind: 'delivered' });
    expect(judge(outcome(500))).toMatchObject({ kind: 'retry', reason: 'HTTP 500' });
    expect(judge(outcome(301))).toMatchObject({ kind: 'retry' });
    expect(judge(outcome(null, { error: 'ETIMEDOUT' }))).toMatchObject({ kind: 'retry', reason: 'ETIMEDOUT' });
    expect(judge(outcome(429, { retryAfter: '120' }))).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 120_000 });
    for (const status of [400, 401, 404, 410, 413]) expect(judge(outcome(status))).toEqual({ kind: 'failed', reason: `HTTP ${status}` });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 03 Dec 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it('backs off exponentially with jitter up to the cap, honours Retry-After within it, and stops at the lifetime', () => {
    const policy = { baseMs: 30_000, maxMs: 6 * 3_600_000 };
    const now = new Date('2026-12-03T10:00:00Z');
    const expires = new Date(now.getTime() + 3 * 24 * 3_600_000);
    const delay = (attempt: number, random: number, retryAfter: number | null = null) =>
      nextWebhookAttempt(now, attempt, expires, policy, retryAfter, () => random)!.getTime() - now.getTime();
    expect(delay(1, 0)).toBe(30_000);
    expect(delay(3, 0)).toBe(120_000);
    expect(delay(3, 1)).toBe(96_000);
    expect(delay(20, 0)).toBe(policy.maxMs);
    expect(delay(1, 0, 600_000)).toBe(600_000);
    expect(delay(1, 0, 48 * 3_600_000)).toBe(policy.maxMs);
    expect(nextWebhookAttempt(expires, 30, expires, policy, null)).toBeNull();
    expect(nextWebhookAttempt(new Date(expires.getTime() - 1000), 30, expires, policy, null, () => 0)).toEqual(expires);
    // About three days: the number of attempts before the lifetime runs out with the defaults.
    let at = now;
    let attempts = 0;
    for (let next: Date | null = now; next; next = nextWebhookAttempt(at, ++attempts, expires, policy, null, () => 0)) at = next;
    expect(attempts).toBeGreaterThan(15);
    expect(attempts).toBeLessThan(25);
  });
});
