import { Injectable } from '@nestjs/common';
import type { LoginEvent as LoginEventRow } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { LoginEvent } from './login-counters.js';

@Injectable()
export class LoginEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One statement per batch; each login is matched to its mailbox by address. */
  async insertBatch(events: LoginEvent[]): Promise<number> {
    return this.prisma.$executeRaw`
      INSERT INTO login_events (mailbox_id, login, remote_ip, protocol, result, source, occurred_at)
      SELECT m.id, e.login, e."remoteIp", e.protocol, e.outcome, e.source, to_timestamp(e.at / 1000.0)
        FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
             AS e(login text, "remoteIp" text, protocol text, outcome text, source text, at bigint)
        LEFT JOIN mailboxes m ON m.address = e.login`;
  }

  /** Newest first; the cursor is the last row's id (ids grow with insertion). */
  listForMailbox(mailboxId: string, query: { limit: number; cursor?: string }): Promise<Page<LoginEventRow>> {
    return this.listWhere({ mailboxId }, query);
  }

  /** A staff person's own dashboard logins: stored under STAFF_LOGIN_PREFIX, never a mailbox's. */
  listForStaffLogin(login: string, query: { limit: number; cursor?: string }): Promise<Page<LoginEventRow>> {
    return this.listWhere({ login, mailboxId: null }, query);
  }

  /**
   * What the monitoring flagged among these logins: the account alerts whose last attempt is one
   * of them (same login, IP and instant). Alerts are the monitoring's own record of what it found.
   */
  async flaggedBy(login: string, since: Date, rules: string[]): Promise<{ rule: string; remoteIp: string; at: Date }[]> {
    const rows = await this.prisma.$queryRaw<{ rule: string; remoteIp: string; at: string }[]>`
      SELECT rule, evidence->'lastAttempt'->>'remoteIp' AS "remoteIp", evidence->'lastAttempt'->>'at' AS at
        FROM alerts
       WHERE rule = ANY(${rules}::text[]) AND evidence->'lastAttempt'->>'login' = ${login} AND updated_at >= ${since}`;
    return rows.map((row) => ({ ...row, at: new Date(row.at) }));
  }

  private async listWhere(where: { mailboxId: string | null; login?: string }, query: { limit: number; cursor?: string }): Promise<Page<LoginEventRow>> {
    const rows = await this.prisma.loginEvent.findMany({
      where: { ...where, ...(query.cursor && { id: { lt: BigInt(query.cursor) } }) },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.id.toString());
  }
}
