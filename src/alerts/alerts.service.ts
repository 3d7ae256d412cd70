import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import type { Alert } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { alertData } from '../webhooks/webhook-event-data.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';
import { AlertNotifier } from './alert-notifier.service.js';
import { type AlertListQuery, type AlertSeverity, type AlertUpdateDto, alertView } from './alerts.dto.js';
import { AlertsRepository } from './alerts.repository.js';

export interface AlertInput {
  /** The tenant that owns the subject (null: the platform's own). */
  resellerId: string | null;
  domainId?: string | null;
  mailboxId?: string | null;
  /** `<area>.<condition>`, e.g. `login.failures_per_ip`, `dns.record_wrong`. */
  rule: string;
  severity: AlertSeverity;
  summary: string;
  evidence: object;
  /** What was done about it, e.g. `{type: 'sending_suspended', at}`. Appended on repeats. */
  actions?: object[];
  /** Rule + subject: while an alert with this key is unresolved, raising again updates it. */
  dedupeKey?: string;
}

/** Alerts are raised by detectors (workers, request hooks) and read and closed by tenants. */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly alerts: AlertsRepository,
    private readonly audit: AuditService,
    private readonly notifier: AlertNotifier,
    private readonly webhooks: WebhookEvents,
  ) {}

  /** Opens an alert, or refreshes the open one with the same dedupeKey; a new one is e-mailed. */
  async raise(input: AlertInput, tx?: Tx): Promise<Alert> {
    // The alert and its alert.raised event commit together (in the caller's transaction, if any).
    const { created, ...alert } = await (tx ? this.upsert(input, tx) : this.prisma.$transaction((own) => this.upsert(input, own)));
    this.logger.warn({ alertId: alert.id, rule: alert.rule, mailboxId: alert.mailboxId }, `alert: ${alert.summary}`);
    // Within a caller's transaction a failure rolls back with it; otherwise the alert stands and
    // only its e-mail is lost (a retry would find the alert open and not e-mail it again).
    if (created) {
      await this.notifier.alertRaised(alert, tx).catch((error: unknown) => {
        if (tx) throw error;
        this.logger.error({ alertId: alert.id, err: error }, 'alert notification failed');
      });
    }
    return alert;
  }

  private async upsert(input: AlertInput, tx: Tx): Promise<Alert & { created: boolean }> {
    const row = await this.alerts.upsert({
      resellerId: input.resellerId,
      domainId: input.domainId ?? null,
      mailboxId: input.mailboxId ?? null,
      rule: input.rule,
      severity: input.severity,
      summary: input.summary,
      evidence: input.evidence,
      actions: input.actions ?? [],
      dedupeKey: input.dedupeKey ?? null,
    }, tx);
    if (row.created) await this.webhooks.emit(tx, row.resellerId, 'alert.raised', alertData(row));
    return row;
  }

  async list(caller: Caller, query: AlertListQuery) {
    return mapPage(await this.alerts.list(Tenant.of(caller), query), alertView);
  }

  async get(caller: Caller, id: string) {
    const alert = await this.alerts.find(Tenant.of(caller), id);
    if (!alert) throw Problem.notFound('alert');
    return alertView(alert);
  }

  async update(caller: Caller, id: string, dto: AlertUpdateDto) {
    return this.prisma.$transaction(async (tx) => {
      const alert = await this.alerts.find(Tenant.of(caller), id, tx);
      if (!alert) throw Problem.notFound('alert');
      if (alert.state === dto.state) return alertView(alert);
      if (alert.state === 'resolved') {
        throw Problem.conflict('alert_resolved', 'A resolved alert is final; a recurring condition raises a new one.');
      }
      const now = new Date();
      const updated = await this.alerts.update(tx, id, {
        state: dto.state,
        ...(dto.state === 'acknowledged' && { acknowledgedAt: now }),
        ...(dto.state === 'resolved' && { resolvedAt: now, acknowledgedAt: alert.acknowledgedAt ?? now }),
      });
      await this.audit.record(tx, caller, {
        action: `alert.${dto.state === 'acknowledged' ? 'acknowledge' : 'resolve'}`,
        resellerId: alert.resellerId, target: alert,
        before: { state: alert.state }, after: { state: updated.state },
      });
      if (updated.state === 'resolved') await this.webhooks.emit(tx, updated.resellerId, 'alert.resolved', alertData(updated));
      return alertView(updated);
    });
  }
}
