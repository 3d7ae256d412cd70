import type { Alert } from '../generated/prisma/client.js';
import { type WebhookEvent, webhookEvent } from './webhook-payload.js';

// The `data` of events built from rows, in one place, shaped as webhook-event-types.ts documents.

export function sendingSuspendedData(mailbox: { id: string; address: string; sendingSuspendedReason: string | null; sendingSuspendedAt: Date | null }) {
  return { mailboxId: mailbox.id, address: mailbox.address, reason: mailbox.sendingSuspendedReason, suspendedAt: mailbox.sendingSuspendedAt ?? new Date() };
}

export function alertData(alert: Alert) {
  return {
    alert: {
      id: alert.id, resellerId: alert.resellerId, domainId: alert.domainId, mailboxId: alert.mailboxId, rule: alert.rule,
      severity: alert.severity, state: alert.state, summary: alert.summary, createdAt: alert.createdAt, resolvedAt: alert.resolvedAt,
    },
  };
}

export function loginBlockedData(block: { mailboxId?: string | null; address?: string | null; ip?: string | null; rule: string; until?: Date | null }) {
  return { mailboxId: block.mailboxId ?? null, address: block.address ?? null, ip: block.ip ?? null, rule: block.rule, until: block.until ?? null };
}

interface CheckedRecord { check: string; type: string; name: string; found: string[]; status: string }

/**
 * `dns_check.changed`, one event per record whose verdict or found value differs from the
 * previous check's. The first check of a domain changes nothing (there is no "from").
 */
export function dnsCheckChanges(domain: { id: string; name: string; resellerId: string | null }, previous: CheckedRecord[] | null, current: CheckedRecord[]): WebhookEvent[] {
  if (!previous) return [];
  const key = (r: CheckedRecord) => `${r.check}:${r.type}:${r.name}`;
  const before = new Map(previous.map((r) => [key(r), r]));
  return current.flatMap((record) => {
    const old = before.get(key(record));
    if (old && old.status === record.status && JSON.stringify(old.found) === JSON.stringify(record.found)) return [];
    return [webhookEvent(domain.resellerId, 'dns_check.changed', {
      domainId: domain.id, domain: domain.name, record: { type: record.type, name: record.name },
      from: { status: old?.status ?? null, found: old?.found ?? [] }, to: { status: record.status, found: record.found },
    })];
  });
}

export interface SettledRecipient {
  attempt: { address: string; host: string | null; result: { code: number | null; enhanced: string | null; response: string } };
  status: 'delivered' | 'deferred' | 'bounced';
}

/** `message.delivered`, `message.deferred`, `message.bounced`: one per recipient of a try. */
export function messageOutcomeEvents(resellerId: string | null, messageId: string, attempt: number, recipients: SettledRecipient[]): WebhookEvent[] {
  return recipients.map(({ attempt: a, status }) => webhookEvent(resellerId, `message.${status}`, {
    messageId, recipient: a.address, status, attempt, host: a.host,
    smtp: { code: a.result.code, enhanced: a.result.enhanced ?? null, response: a.result.response },
  }));
}
