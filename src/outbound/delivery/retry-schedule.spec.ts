import { nextAttemptAt, retryDelayMs } from './retry-schedule.js';

const MINUTE_MS = 60_000;
const policy = { baseMs: 5 * MINUTE_MS, maxMs: 60 * MINUTE_MS };
const noJitter = () => 0;
const fullJitter = () => 1;

describe('retry schedule', () => {
  it('starts at the base delay and doubles up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 40].map((attempt) => retryDelayMs(attempt, policy, noJitter) / MINUTE_MS);
    expect(delays).toEqual([5, 10, 20, 40, 60, 60, 60]);
  });

  it('jitters downwards by at most a fifth, never above the cap', () => {
    expect(retryDelayMs(1, policy, fullJitter)).toBe(4 * MINUTE_MS);
    expect(retryDelayMs(9, policy, fullJitter)).toBe(48 * MINUTE_MS);
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(9, policy);
      expect(delay).toBeGreaterThanOrEqual(48 * MINUTE_MS);
      expect(delay).toBeLessThanOrEqual(60 * MINUTE_MS);
    }
  });

  it('runs the default ladder for five days: about 125 tries', () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const expiresAt = new Date(start.getTime() + 5 * 24 * 60 * MINUTE_MS);
    let now = start;
    let attempt = 1;
    for (let next = nextAttemptAt(now, attempt, expiresAt, policy, noJitter); next; next = nextAttemptAt(now, attempt, expiresAt, policy, noJitter)) {
      now = next;
      attempt++;
    }
    expect(now).toEqual(expiresAt);
    // 5+10+20+40 minutes, then hourly until 120 h: the last try lands on the expiry exactly.
    expect(attempt).toBe(1 + 4 + Math.ceil((120 * 60 - 75) / 60));
  });

  it('gives up once the lifetime is over, and tries last at the expiry itself', () => {
    const expiresAt = new Date('2026-01-01T01:00:00Z');
    expect(nextAttemptAt(new Date('2026-01-01T00:58:00Z'), 3, expiresAt, policy, noJitter)).toEqual(expiresAt);
    expect(nextAttemptAt(expiresAt, 4, expiresAt, policy, noJitter)).toBeNull();
  });
});
