import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { type Volume, baselineHours, spikeThreshold } from './sending-rules.js';
import { SendingVolumeRepository } from './sending-volume.repository.js';

const HOUR_MS = 3_600_000;
const DAY_HOURS = 24;

/**
 * The sending side of GET /v1/activity: what the sending monitor sees for one mailbox — the last
 * hour and day, each of the last 24 hours, the trailing baseline and the spike threshold it sets.
 */
@Injectable()
export class SendingActivity {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly volumes: SendingVolumeRepository,
  ) {}

  async forMailbox(mailbox: { id: string; createdAt: Date }, now = new Date()) {
    const spike = this.config.SENDING_RULES.volumeSpike;
    const ago = (hours: number) => new Date(now.getTime() - hours * HOUR_MS);
    const [lastHour, lastDay, baseline, hourly] = await Promise.all([
      this.volumes.between(mailbox.id, ago(1), now),
      this.volumes.between(mailbox.id, ago(DAY_HOURS), now),
      this.volumes.between(mailbox.id, ago(spike.baselineDays * DAY_HOURS), ago(1)),
      this.volumes.hourly(mailbox.id, ago(DAY_HOURS)),
    ]);
    const hours = baselineHours(now, mailbox.createdAt, spike);
    const byHour = new Map(hourly.map((h) => [h.hour.getTime(), h]));
    const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    const threshold = (metric: keyof Volume, floor: number) => spikeThreshold(baseline[metric], hours, spike.multiplier, floor);
    return {
      lastHour,
      lastDay,
      // Oldest first, the current (partial) UTC hour last; hours without mail count 0.
      hourly: Array.from({ length: DAY_HOURS }, (_, i) => {
        const hour = currentHour - (DAY_HOURS - 1 - i) * HOUR_MS;
        const found = byHour.get(hour);
        return { hour: new Date(hour), messages: found?.messages ?? 0, recipients: found?.recipients ?? 0 };
      }),
      baseline: {
        days: spike.baselineDays, hours: round(hours),
        messagesPerHour: round(baseline.messages / hours), recipientsPerHour: round(baseline.recipients / hours),
      },
      // What the last hour must reach for the volumeSpike rule (SENDING_RULES).
      spikeThreshold: { messages: threshold('messages', spike.minMessages), recipients: threshold('recipients', spike.minRecipients) },
    };
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
