import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import type { Volume } from './sending-rules.js';

/** A mailbox that sent enough in the last hour to be judged, with its baseline window's counts. */
export interface SenderVolume {
  mailboxId: string;
  address: string;
  domainId: string;
  resellerId: string | null;
  createdAt: Date;
  lastHour: Volume;
  baseline: Volume;
}

export interface SenderBounces {
  mailboxId: string;
  address: string;
  domainId: string;
  resellerId: string | null;
  settled: number;
  bounced: number;
}

export interface HourVolume extends Volume {
  hour: Date;
}

type VolumeRow = Omit<SenderVolume, 'lastHour' | 'baseline'> & { hourMessages: number; hourRecipients: number; baseMessages: number; baseRecipients: number };

/**
 * What the sending monitor counts, in PostgreSQL: the worker's questions, never the API's hot
 * path. The `mailbox_sent_mail` view counts mail sent through the API (`kind = 'message'`) and
 * mail submitted through Postfix (`mail_submissions`, the policy service's) alike; suspended
 * mailboxes are not judged again until lifted, and nothing accepted before the lift counts afterwards.
 */
@Injectable()
export class SendingVolumeRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Mailboxes whose last hour (since `hourAgo`) reaches either floor — all of them, or just
   * `mailboxId` — with their counts in the baseline window (`baselineStart`, `hourAgo`].
   */
  async senders(hourAgo: Date, baselineStart: Date, floors: Volume, mailboxId: string | null = null): Promise<SenderVolume[]> {
    const rows = await this.prisma.$queryRaw<VolumeRow[]>`
      WITH recent AS (
        SELECT s.mailbox_id, sum(s.messages)::int AS messages, sum(s.recipients)::int AS recipients
          FROM mailbox_sent_mail s
          JOIN mailboxes mb ON mb.id = s.mailbox_id
         WHERE s.created_at > ${hourAgo}
           AND (${mailboxId}::uuid IS NULL OR s.mailbox_id = ${mailboxId}::uuid)
           AND mb.sending_suspended_at IS NULL
           AND s.created_at > COALESCE(mb.sending_resumed_at, ${hourAgo})
         GROUP BY s.mailbox_id
        HAVING sum(s.messages) >= ${floors.messages} OR sum(s.recipients) >= ${floors.recipients})
      SELECT recent.mailbox_id AS "mailboxId", mb.address, mb.domain_id AS "domainId", d.reseller_id AS "resellerId",
             mb.created_at AS "createdAt", recent.messages AS "hourMessages", recent.recipients AS "hourRecipients",
             base.messages AS "baseMessages", base.recipients AS "baseRecipients"
        FROM recent
        JOIN mailboxes mb ON mb.id = recent.mailbox_id
        JOIN domains d ON d.id = mb.domain_id
        CROSS JOIN LATERAL (
          SELECT COALESCE(sum(s.messages), 0)::int AS messages, COALESCE(sum(s.recipients), 0)::int AS recipients
            FROM mailbox_sent_mail s
           WHERE s.mailbox_id = recent.mailbox_id AND s.created_at > ${baselineStart} AND s.created_at <= ${hourAgo}) base`;
    return rows.map(({ hourMessages, hourRecipients, baseMessages, baseRecipients, ...sender }) => ({
      ...sender,
      lastHour: { messages: hourMessages, recipients: hourRecipients },
      baseline: { messages: baseMessages, recipients: baseRecipients },
    }));
  }

  /** Per mailbox: recipients settled (delivered or bounced) since `since`, and how many bounced. */
  bounces(since: Date, minSettled: number): Promise<SenderBounces[]> {
    return this.prisma.$queryRaw<SenderBounces[]>`
      SELECT m.mailbox_id AS "mailboxId", mb.address, mb.domain_id AS "domainId", d.reseller_id AS "resellerId",
             count(*)::int AS settled, (count(*) FILTER (WHERE r.status = 'bounced'))::int AS bounced
        FROM message_recipients r
        JOIN messages m ON m.id = r.message_id
        JOIN mailboxes mb ON mb.id = m.mailbox_id
        JOIN domains d ON d.id = mb.domain_id
       WHERE r.final_at > ${since} AND r.status IN ('delivered', 'bounced') AND m.kind = 'message'
         AND mb.sending_suspended_at IS NULL
         AND m.created_at > COALESCE(mb.sending_resumed_at, '-infinity'::timestamptz)
       GROUP BY m.mailbox_id, mb.address, mb.domain_id, d.reseller_id
      HAVING count(*) >= ${minSettled}`;
  }

  /** One mailbox's messages and recipients per hour since `since` (hours without mail left out). */
  hourly(mailboxId: string, since: Date): Promise<HourVolume[]> {
    return this.prisma.$queryRaw<HourVolume[]>`
      SELECT date_trunc('hour', s.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, sum(s.messages)::int AS messages, sum(s.recipients)::int AS recipients
        FROM mailbox_sent_mail s
       WHERE s.mailbox_id = ${mailboxId}::uuid AND s.created_at > ${since}
       GROUP BY 1 ORDER BY 1`;
  }

  /** One mailbox's totals in (`from`, `to`]. */
  async between(mailboxId: string, from: Date, to: Date): Promise<Volume> {
    const rows = await this.prisma.$queryRaw<Volume[]>`
      SELECT COALESCE(sum(s.messages), 0)::int AS messages, COALESCE(sum(s.recipients), 0)::int AS recipients
        FROM mailbox_sent_mail s
       WHERE s.mailbox_id = ${mailboxId}::uuid AND s.created_at > ${from} AND s.created_at <= ${to}`;
    return rows[0]!;
  }
}
