import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Alert, AlertState, Prisma } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

export interface AlertRow {
  resellerId: string | null;
  domainId: string | null;
  mailboxId: string | null;
  rule: string;
  severity: string;
  summary: string;
  evidence: object;
  actions: object[];
  dedupeKey: string | null;
}

const ALERT_COLUMNS = `id, reseller_id AS "resellerId", domain_id AS "domainId", mailbox_id AS "mailboxId", rule, severity,
  state, summary, evidence, actions, dedupe_key AS "dedupeKey", created_at AS "createdAt", updated_at AS "updatedAt",
  acknowledged_at AS "acknowledgedAt", resolved_at AS "resolvedAt"`;

@Injectable()
export class AlertsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One statement, so two workers raising the same condition at once end with one alert: the
   * partial unique index `alerts_unresolved_dedupe_key` (owner + key, unresolved rows only) is the
   * arbiter. The owner is part of it, so a repeat never lands in another tenant's alert.
   * A repeat refreshes the evidence, counts the occurrence and appends the new actions.
   * `created`: this statement inserted the row (xmax is 0 only on a row no one has updated).
   */
  async upsert(row: AlertRow, tx: Tx = this.prisma): Promise<Alert & { created: boolean }> {
    const rows = await tx.$queryRawUnsafe<(Alert & { created: boolean })[]>(
      `INSERT INTO alerts (id, reseller_id, domain_id, mailbox_id, rule, severity, summary, evidence, actions, dedupe_key, updated_at)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7, $8::jsonb || '{"occurrences": 1}'::jsonb, $9::jsonb, $10, now())
       ON CONFLICT (reseller_id, dedupe_key) WHERE state <> 'resolved' AND dedupe_key IS NOT NULL DO UPDATE SET
         evidence = EXCLUDED.evidence || jsonb_build_object(
           'occurrences', COALESCE((alerts.evidence->>'occurrences')::int, 1) + 1,
           'firstSeenAt', COALESCE(alerts.evidence->'firstSeenAt', to_jsonb(alerts.created_at))),
         summary = EXCLUDED.summary,
         severity = EXCLUDED.severity,
         actions = alerts.actions || EXCLUDED.actions,
         updated_at = now()
       RETURNING ${ALERT_COLUMNS}, (xmax = 0) AS created`,
      randomUUID(), row.resellerId, row.domainId, row.mailboxId, row.rule, row.severity, row.summary,
      JSON.stringify(row.evidence), JSON.stringify(row.actions), row.dedupeKey,
    );
    return rows[0]!;
  }

  find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<Alert | null> {
    return tx.alert.findFirst({ where: { id, ...tenant.ownerFilter() } });
  }

  /** Newest first; the cursor is the last item's `createdAt|id`. */
  async list(tenant: Tenant, query: { limit: number; cursor?: { createdAt: Date; id: string }; state?: AlertState; rule?: string; mailboxId?: string }): Promise<Page<Alert>> {
    const where: Prisma.AlertWhereInput = {
      ...tenant.ownerFilter(),
      ...(query.state && { state: query.state }),
      ...(query.rule && { rule: query.rule }),
      ...(query.mailboxId && { mailboxId: query.mailboxId }),
      ...(query.cursor && {
        OR: [
          { createdAt: { lt: query.cursor.createdAt } },
          { createdAt: query.cursor.createdAt, id: { lt: query.cursor.id } },
        ],
      }),
    };
    const rows = await this.prisma.alert.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
    return pageOf(rows, query.limit, (row) => `${row.createdAt.toISOString()}|${row.id}`);
  }

  update(tx: Tx, id: string, data: Prisma.AlertUncheckedUpdateInput): Promise<Alert> {
    return tx.alert.update({ where: { id }, data });
  }
}
