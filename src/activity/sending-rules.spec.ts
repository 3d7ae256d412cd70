import { loadConfig } from '../config/config.js';
import {
  DEFAULT_SENDING_RULES, type SendingRules, baselineHours, bounceRateFires, checkpointCrossed, sendingRulesSetting,
  spikeThreshold, volumeFindings, volumeFloors, windowStart,
} from './sending-rules.js';

const HOUR_MS = 3_600_000;
const now = new Date('2026-11-26T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * HOUR_MS);
const rules: SendingRules = {
  volumeSpike: { ...DEFAULT_SENDING_RULES.volumeSpike, multiplier: 5, minMessages: 10, minRecipients: 40 },
  hourlyCap: { ...DEFAULT_SENDING_RULES.hourlyCap, messages: 100, recipients: 400 },
  bounceRate: DEFAULT_SENDING_RULES.bounceRate,
};

describe('baseline hours', () => {
  it('spans the whole window for a mailbox older than it (7 days less the last hour)', () => {
    expect(baselineHours(now, hoursAgo(24 * 30), rules.volumeSpike)).toBe(167);
  });

  it('spans the mailbox\'s life when it is younger than the window', () => {
    expect(baselineHours(now, hoursAgo(73), rules.volumeSpike)).toBe(72);
  });

  it('never goes below minHistoryHours: too little history does not make the first busy hour the habit', () => {
    expect(baselineHours(now, hoursAgo(2), rules.volumeSpike)).toBe(24);
    expect(baselineHours(now, now, rules.volumeSpike)).toBe(24);
  });
});

describe('volume spike', () => {
  // 167 messages over 167 hours: an average of 1 an hour, so more than 5 is a spike — but the floor is 10.
  const baseline = { messages: 167, recipients: 167 };

  it('fires at the floor when five times the average is below it, and not one below', () => {
    expect(spikeThreshold(167, 167, 5, 10)).toBe(10);
    expect(volumeFindings(rules, { messages: 10, recipients: 10 }, baseline, 167)).toEqual([{ rule: 'volumeSpike', metric: 'messages', count: 10, threshold: 10 }]);
    expect(volumeFindings(rules, { messages: 9, recipients: 9 }, baseline, 167)).toEqual([]);
  });

  it('fires strictly above the multiple of the average: exactly five times is not a spike', () => {
    const busy = { messages: 167 * 4, recipients: 167 * 4 }; // 4 an hour
    expect(spikeThreshold(busy.messages, 167, 5, 10)).toBe(21);
    expect(volumeFindings(rules, { messages: 20, recipients: 20 }, busy, 167)).toEqual([]);
    expect(volumeFindings(rules, { messages: 21, recipients: 21 }, busy, 167)[0]).toMatchObject({ rule: 'volumeSpike', count: 21, threshold: 21 });
  });

  it('a new mailbox with no history is judged against the floor alone', () => {
    const none = { messages: 0, recipients: 0 };
    expect(volumeFindings(rules, { messages: 3, recipients: 3 }, none, 24)).toEqual([]);
    expect(volumeFindings(rules, { messages: 10, recipients: 10 }, none, 24)).toHaveLength(1);
  });

  it('fires on recipients alone: few messages to many people', () => {
    expect(volumeFindings(rules, { messages: 2, recipients: 40 }, baseline, 167)).toEqual([{ rule: 'volumeSpike', metric: 'recipients', count: 40, threshold: 40 }]);
    expect(volumeFindings(rules, { messages: 2, recipients: 39 }, baseline, 167)).toEqual([]);
  });

  it('does nothing when disabled', () => {
    const off = { ...rules, volumeSpike: { ...rules.volumeSpike, enabled: false } };
    expect(volumeFindings(off, { messages: 50, recipients: 50 }, baseline, 167)).toEqual([]);
  });
});

describe('hourly cap', () => {
  // A huge baseline: the spike rule cannot fire, the absolute cap still does.
  const heavy = { messages: 167 * 1000, recipients: 167 * 1000 };

  it('fires when the last hour reaches the cap, whatever the baseline, and not one below', () => {
    expect(volumeFindings(rules, { messages: 100, recipients: 100 }, heavy, 167)).toEqual([{ rule: 'hourlyCap', metric: 'messages', count: 100, threshold: 100 }]);
    expect(volumeFindings(rules, { messages: 99, recipients: 399 }, heavy, 167)).toEqual([]);
    expect(volumeFindings(rules, { messages: 1, recipients: 400 }, heavy, 167)).toEqual([{ rule: 'hourlyCap', metric: 'recipients', count: 400, threshold: 400 }]);
  });
});

describe('bounce rate', () => {
  const rule = { ...DEFAULT_SENDING_RULES.bounceRate, percent: 20, minRecipients: 20 };

  it('fires above the percentage over enough recipients', () => {
    expect(bounceRateFires(rule, 20, 5)).toBe(true);
  });

  it('exactly at the percentage is not above it', () => {
    expect(bounceRateFires(rule, 20, 4)).toBe(false);
    expect(bounceRateFires(rule, 100, 20)).toBe(false);
    expect(bounceRateFires(rule, 100, 21)).toBe(true);
  });

  it('needs at least minRecipients settled: 19 bounces out of 19 say too little', () => {
    expect(bounceRateFires(rule, 19, 19)).toBe(false);
  });

  it('does nothing when disabled', () => {
    expect(bounceRateFires({ ...rule, enabled: false }, 100, 100)).toBe(false);
  });
});

describe('windows', () => {
  it('start a window-length ago', () => {
    expect(windowStart(now, HOUR_MS, null)).toEqual(hoursAgo(1));
  });

  it('start no earlier than a lifted suspension: the mail that caused it is not counted again', () => {
    expect(windowStart(now, HOUR_MS, hoursAgo(0.25))).toEqual(hoursAgo(0.25));
    // A lift longer ago than the window changes nothing.
    expect(windowStart(now, HOUR_MS, hoursAgo(3))).toEqual(hoursAgo(1));
  });
});

describe('acceptance checkpoints', () => {
  it('crossing each multiple of the floor asks for a check, steps between do not', () => {
    expect(checkpointCrossed(8, 9, 10)).toBe(false);
    expect(checkpointCrossed(9, 10, 10)).toBe(true);
    expect(checkpointCrossed(10, 11, 10)).toBe(false);
    expect(checkpointCrossed(19, 20, 10)).toBe(true);
  });

  it('a message with many recipients can jump over a multiple', () => {
    expect(checkpointCrossed(35, 47, 40)).toBe(true);
    expect(checkpointCrossed(0, 39, 40)).toBe(false);
  });

  it('floors are the lowest count any enabled volume rule fires at; none when both are off', () => {
    expect(volumeFloors(rules)).toEqual({ messages: 10, recipients: 40 });
    expect(volumeFloors({ ...rules, volumeSpike: { ...rules.volumeSpike, enabled: false } })).toEqual({ messages: 100, recipients: 400 });
    expect(volumeFloors({ ...rules, volumeSpike: { ...rules.volumeSpike, enabled: false }, hourlyCap: { ...rules.hourlyCap, enabled: false } })).toBeNull();
  });
});

describe('SENDING_RULES', () => {
  it('merges partial overrides over the defaults', () => {
    const parsed = sendingRulesSetting.parse('{"volumeSpike":{"multiplier":3},"bounceRate":{"enabled":false}}');
    expect(parsed.volumeSpike).toEqual({ ...DEFAULT_SENDING_RULES.volumeSpike, multiplier: 3 });
    expect(parsed.bounceRate.enabled).toBe(false);
    expect(parsed.hourlyCap).toEqual(DEFAULT_SENDING_RULES.hourlyCap);
  });

  it('refuses unknown rules and fields, and malformed JSON', () => {
    expect(sendingRulesSetting.safeParse('{"volumeSpikes":{}}').success).toBe(false);
    expect(sendingRulesSetting.safeParse('{"volumeSpike":{"multipler":3}}').success).toBe(false);
    expect(sendingRulesSetting.safeParse('{').success).toBe(false);
  });

  it('stops the boot naming the variable', () => {
    const env = { DATABASE_URL: 'postgresql://x@127.0.0.1/x', POSTMASTER_SECRET: 'x'.repeat(32) };
    expect(loadConfig(env).SENDING_RULES).toEqual(DEFAULT_SENDING_RULES);
    expect(() => loadConfig({ ...env, SENDING_RULES: '{"bounceRate":{"percent":101}}' })).toThrow(/SENDING_RULES/);
    expect(() => loadConfig({ ...env, NOTIFICATION_FROM: 'not an address' })).toThrow(/NOTIFICATION_FROM must be an e-mail address/);
  });
});
