import { Problem } from '../common/problem.js';
import { DAY_MS, HOUR_MS, assertWithinCaps, countersFor, effectiveLimits, storedLimits } from './send-limits.js';

const caps = { messagesPerHour: 100, messagesPerDay: 1000, recipientsPerHour: 500, recipientsPerDay: 5000 };

describe('send limits', () => {
  it('fills unset limits with the caps and never exceeds a cap, even for limits stored before it was lowered', () => {
    expect(effectiveLimits(null, caps)).toEqual(caps);
    expect(effectiveLimits({ messagesPerHour: 5, recipientsPerDay: 9999 }, caps)).toEqual({ ...caps, messagesPerHour: 5, recipientsPerDay: 5000 });
    expect(effectiveLimits({ messagesPerHour: 'x' }, caps)).toEqual(caps);
  });

  it('stores only the fields that are set, and null for none', () => {
    expect(storedLimits({ messagesPerHour: 5, messagesPerDay: null })).toEqual({ messagesPerHour: 5 });
    expect(storedLimits({ messagesPerDay: null })).toBeNull();
    expect(storedLimits(null)).toBeNull();
  });

  it('refuses a limit above the platform cap with over_platform_cap per field', () => {
    expect(() => assertWithinCaps({ messagesPerHour: 100, recipientsPerDay: 5000 }, caps)).not.toThrow();
    try {
      assertWithinCaps({ messagesPerHour: 101, recipientsPerHour: 501 }, caps);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(Problem);
      expect((error as Problem).status).toBe(422);
      expect((error as Problem).errors?.map((e) => [e.field, e.code])).toEqual([
        ['sendLimits.messagesPerHour', 'over_platform_cap'], ['sendLimits.recipientsPerHour', 'over_platform_cap'],
      ]);
    }
  });

  it('counts one message and its recipients per hour and per day in each scope', () => {
    const counters = countersFor([{ scope: 'mailbox:m', limits: { ...caps, messagesPerHour: 5 } }, { scope: 'domain:d', limits: caps }], 3);
    expect(counters).toHaveLength(8);
    expect(counters[0]).toEqual({ key: 'mailbox:m:messages:h', limit: 5, increment: 1, windowMs: HOUR_MS });
    expect(counters[3]).toEqual({ key: 'mailbox:m:recipients:d', limit: 5000, increment: 3, windowMs: DAY_MS });
    expect(counters.slice(4).map((c) => c.key)).toEqual(['domain:d:messages:h', 'domain:d:messages:d', 'domain:d:recipients:h', 'domain:d:recipients:d']);
  });
});
