import { z } from 'zod';
import { ruleOverridesSetting } from '../config/rule-overrides.js';

// The outgoing-mail rules, their defaults, how an operator overrides them (SENDING_RULES, README
// "Activity monitoring (outgoing mail)"), and the pure decisions the sending monitor makes.
// Defaults follow what large providers publish for one user's mailbox: Google Workspace allows
// 2,000 messages a day per user, Microsoft 365 10,000 recipients a day and 30 messages a minute;
// an hour that spends a quarter of such a day is not a person writing mail. Relative to a
// mailbox's own habit, five times its trailing hourly average (with a floor, so a new mailbox
// sending a handful of messages is not a "spike"). Bounces: Amazon SES reviews senders at 5 % and
// a mailbox of people writing to people rarely sees one in five recipients refused, so 20 % over
// at least 20 recipients in a day is a harvested or bought list.

export const SENDING_ACTIONS = ['suspend_sending', 'alert'] as const;
const HOUR_MS = 3_600_000;
const DAY_H = 24;

const common = {
  enabled: z.boolean(),
  actions: z.array(z.enum(SENDING_ACTIONS)).max(SENDING_ACTIONS.length),
  severity: z.enum(['info', 'warning', 'critical']),
};
const count = z.number().int().min(1).max(100_000_000);

const volumeSpike = z.object({
  ...common,
  /** Fires above this many times the mailbox's trailing hourly average... */
  multiplier: z.number().min(1).max(1000),
  /** ...taken over this many days before the last hour... */
  baselineDays: z.number().int().min(1).max(90),
  /** ...over at least this many hours, so a young mailbox's average is not its first hour's. */
  minHistoryHours: z.number().int().min(1).max(90 * DAY_H),
  /** Floors: below these counts in the last hour nothing is a spike. */
  minMessages: count,
  minRecipients: count,
}).strict();

const hourlyCap = z.object({ ...common, messages: count, recipients: count }).strict();

const bounceRate = z.object({
  ...common,
  /** Fires when more than this share (percent) of the recipients settled in the window bounced... */
  percent: z.number().min(0).max(100),
  /** ...and at least this many recipients settled (delivered or bounced) in it. */
  minRecipients: count,
  windowHours: z.number().int().min(1).max(30 * DAY_H),
}).strict();

export type VolumeSpikeRule = z.infer<typeof volumeSpike>;
export type HourlyCapRule = z.infer<typeof hourlyCap>;
export type BounceRateRule = z.infer<typeof bounceRate>;
export interface SendingRules {
  volumeSpike: VolumeSpikeRule;
  hourlyCap: HourlyCapRule;
  bounceRate: BounceRateRule;
}
export type SendingRuleName = keyof SendingRules;

const act = { enabled: true, actions: ['suspend_sending', 'alert'] as ('suspend_sending' | 'alert')[] };

export const DEFAULT_SENDING_RULES: SendingRules = {
  volumeSpike: { ...act, severity: 'critical', multiplier: 5, baselineDays: 7, minHistoryHours: DAY_H, minMessages: 100, minRecipients: 500 },
  hourlyCap: { ...act, severity: 'critical', messages: 500, recipients: 2_500 },
  bounceRate: { ...act, severity: 'warning', percent: 20, minRecipients: 20, windowHours: DAY_H },
};

/** Alert rule names (`GET /v1/alerts?rule=`). */
export const SENDING_ALERT_RULE: Record<SendingRuleName, string> = {
  volumeSpike: 'sending.volume_spike',
  hourlyCap: 'sending.hourly_cap',
  bounceRate: 'sending.bounce_rate',
};

const overrides = z.object({ volumeSpike: volumeSpike.partial().optional(), hourlyCap: hourlyCap.partial().optional(), bounceRate: bounceRate.partial().optional() }).strict();

/** SENDING_RULES: JSON of per-rule partial overrides, merged over the defaults. */
export const sendingRulesSetting = ruleOverridesSetting<SendingRules>(overrides, DEFAULT_SENDING_RULES);

/** Messages and recipients in one window. */
export interface Volume {
  messages: number;
  recipients: number;
}
export type Metric = keyof Volume;
const METRICS: Metric[] = ['messages', 'recipients'];

/**
 * The hours the baseline averages over: from the later of the mailbox's creation and the start
 * of the baseline window, up to the start of the last hour; never fewer than minHistoryHours
 * (a young mailbox's short history would make its first busy hour look like its habit).
 */
export function baselineHours(now: Date, mailboxCreatedAt: Date, rule: VolumeSpikeRule): number {
  const windowHours = rule.baselineDays * DAY_H - 1;
  const ageHours = (now.getTime() - mailboxCreatedAt.getTime()) / HOUR_MS - 1;
  return Math.min(windowHours, Math.max(rule.minHistoryHours, ageHours));
}

/** The smallest count in the last hour that is a spike: above multiplier × average, at least the floor. */
export function spikeThreshold(baselineCount: number, hours: number, multiplier: number, floor: number): number {
  return Math.max(floor, Math.floor((multiplier * baselineCount) / hours) + 1);
}

export interface VolumeFinding {
  rule: 'volumeSpike' | 'hourlyCap';
  metric: Metric;
  count: number;
  threshold: number;
}

/**
 * What the last hour's volume fires. `baseline` counts the baseline window (before the last hour);
 * each rule reports its first metric over the threshold.
 */
export function volumeFindings(rules: SendingRules, lastHour: Volume, baseline: Volume, hours: number): VolumeFinding[] {
  const findings: VolumeFinding[] = [];
  const spike = rules.volumeSpike;
  if (spike.enabled) {
    const floors: Volume = { messages: spike.minMessages, recipients: spike.minRecipients };
    const hit = METRICS.map((metric) => ({ metric, count: lastHour[metric], threshold: spikeThreshold(baseline[metric], hours, spike.multiplier, floors[metric]) }))
      .find((m) => m.count >= m.threshold);
    if (hit) findings.push({ rule: 'volumeSpike', ...hit });
  }
  const cap = rules.hourlyCap;
  if (cap.enabled) {
    const hit = METRICS.map((metric) => ({ metric, count: lastHour[metric], threshold: cap[metric] })).find((m) => m.count >= m.threshold);
    if (hit) findings.push({ rule: 'hourlyCap', ...hit });
  }
  return findings;
}

/** More than `percent` of the settled recipients bounced, over at least `minRecipients`. */
export function bounceRateFires(rule: BounceRateRule, settled: number, bounced: number): boolean {
  return rule.enabled && settled >= rule.minRecipients && bounced * 100 > rule.percent * settled;
}

/**
 * Where the monitor's windows start: never before an administrator lifted a suspension, so the
 * mail that caused it (and is released by the lift) is not counted a second time.
 */
export function windowStart(now: Date, windowMs: number, resumedAt: Date | null): Date {
  const start = now.getTime() - windowMs;
  return new Date(resumedAt ? Math.max(start, resumedAt.getTime()) : start);
}

/** The lowest last-hour counts at which any enabled volume rule can fire: below them, nothing to check. */
export function volumeFloors(rules: SendingRules): Volume | null {
  const floors: Volume[] = [];
  if (rules.volumeSpike.enabled) floors.push({ messages: rules.volumeSpike.minMessages, recipients: rules.volumeSpike.minRecipients });
  if (rules.hourlyCap.enabled) floors.push({ messages: rules.hourlyCap.messages, recipients: rules.hourlyCap.recipients });
  if (!floors.length) return null;
  return { messages: Math.min(...floors.map((f) => f.messages)), recipients: Math.min(...floors.map((f) => f.recipients)) };
}

/**
 * At acceptance: whether this message moved the mailbox's count for the current hour across a
 * multiple of the floor (floor, 2 × floor, …), the points at which the worker re-checks it. A
 * check per multiple keeps a busy, legitimate mailbox to a few checks an hour.
 */
export function checkpointCrossed(before: number, after: number, floor: number): boolean {
  return after >= floor && Math.floor(after / floor) > Math.floor(before / floor);
}
