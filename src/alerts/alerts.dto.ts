import { z } from 'zod';
import { timeListQuery } from '../common/pagination.js';
import { uuid } from '../common/schemas.js';
import type { Alert } from '../generated/prisma/client.js';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

const RULE_NAME = /^[a-z0-9_.-]{1,100}$/;

export const AlertListQuery = timeListQuery.extend({
  state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  rule: z.string().regex(RULE_NAME, { error: 'must be a rule name such as login.failures_per_ip' }).optional(),
  mailboxId: uuid.optional(),
});
export type AlertListQuery = z.infer<typeof AlertListQuery>;

export const AlertUpdateDto = z
  .object({ state: z.enum(['acknowledged', 'resolved']).describe('open → acknowledged → resolved; resolved is final.') })
  .strict();
export type AlertUpdateDto = z.infer<typeof AlertUpdateDto>;

export function alertView(alert: Alert) {
  return {
    id: alert.id,
    resellerId: alert.resellerId,
    domainId: alert.domainId,
    mailboxId: alert.mailboxId,
    rule: alert.rule,
    severity: alert.severity,
    state: alert.state,
    summary: alert.summary,
    evidence: alert.evidence,
    actions: alert.actions,
    createdAt: alert.createdAt,
    updatedAt: alert.updatedAt,
    acknowledgedAt: alert.acknowledgedAt,
    resolvedAt: alert.resolvedAt,
  };
}
