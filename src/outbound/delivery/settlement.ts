import type { DsnRecipient } from './dsn.js';
import type { RecipientAttempt } from './domain-delivery.js';
import { type RetryPolicy, nextAttemptAt } from './retry-schedule.js';

/** What a finished try changes: each recipient, the reports owed to the sender, the message. */
export interface Settlement {
  recipients: { attempt: RecipientAttempt; status: 'delivered' | 'deferred' | 'bounced'; final: boolean }[];
  failedReport: DsnRecipient[];
  delayedReport: DsnRecipient[];
  message: { status: 'completed' | 'deferred'; nextAttemptAt: Date | null; delayNotified: boolean };
}

export interface SettlementInput {
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
  delayNotifiedAt: Date | null;
  /** "" for a DSN: nothing is ever reported about one (RFC 3464 §2). */
  mailFrom: string;
  results: RecipientAttempt[];
  now: Date;
  policy: RetryPolicy;
  delayNoticeMs: number;
}

// RFC 3463 §3.5: delivery time expired.
const EXPIRED_STATUS = '4.4.7';

export function settle(input: SettlementInput): Settlement {
  const { results, now } = input;
  const deferred = results.filter((r) => r.result.outcome === 'deferred');
  const retryAt = deferred.length ? nextAttemptAt(now, input.attempts, input.expiresAt, input.policy) : null;
  const expired = deferred.length > 0 && retryAt === null;

  const recipients = results.map((attempt) => {
    const { outcome } = attempt.result;
    const status = outcome === 'deferred' && expired ? 'bounced' : outcome;
    return { attempt, status, final: status !== 'deferred' };
  });
  const reports = input.mailFrom !== '';
  const failedReport = reports
    ? recipients.filter((r) => r.status === 'bounced').map(({ attempt }) => reportLine(attempt, now, attempt.result.outcome === 'deferred'))
    : [];
  const owesDelayNotice = reports && !expired && deferred.length > 0 && !input.delayNotifiedAt
    && now.getTime() - input.createdAt.getTime() >= input.delayNoticeMs;
  const delayedReport = owesDelayNotice ? deferred.map((attempt) => reportLine(attempt, now, false)) : [];

  return {
    recipients,
    failedReport,
    delayedReport,
    message: { status: retryAt ? 'deferred' : 'completed', nextAttemptAt: retryAt, delayNotified: owesDelayNotice },
  };
}

function reportLine({ address, host, result }: RecipientAttempt, now: Date, expired: boolean): DsnRecipient {
  const smtp = result.code !== null;
  const status = expired && !result.enhanced?.startsWith('4.') ? EXPIRED_STATUS : (result.enhanced ?? (smtp ? `${String(result.code)[0]}.0.0` : '4.0.0'));
  return {
    address,
    status,
    remoteMta: smtp ? host : null,
    diagnostic: expired ? `${result.response} (delivery time expired, giving up)` : result.response,
    diagnosticIsSmtp: smtp,
    lastAttemptAt: now,
  };
}
