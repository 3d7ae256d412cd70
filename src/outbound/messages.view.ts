import type { MessageDetail, MessageSummary } from './messages.repository.js';

export function messageSummaryView(message: MessageSummary) {
  return {
    id: message.id,
    kind: message.kind,
    status: message.status,
    from: message.fromHeader,
    mailFrom: message.mailFrom,
    subject: message.subject,
    messageId: message.messageIdHeader,
    size: message.size,
    domainId: message.domainId,
    mailboxId: message.mailboxId,
    attempts: message.attempts,
    nextAttemptAt: message.nextAttemptAt,
    expiresAt: message.expiresAt,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    // Set once the body was deleted (MESSAGE_RETENTION_DAYS after the message became final).
    bodyPurgedAt: message.bodyPurgedAt,
  };
}

/** The message with each recipient's state and every attempt's SMTP reply. */
export function messageDetailView(message: MessageDetail) {
  return {
    ...messageSummaryView(message),
    recipients: message.recipients.map((r) => ({
      address: r.address,
      field: r.field,
      status: r.status,
      lastAttemptAt: r.lastAttemptAt,
      finalAt: r.finalAt,
      attempts: r.attemptLog.map((a) => ({
        at: a.attemptedAt, outcome: a.outcome, host: a.host, code: a.code, enhanced: a.enhanced, response: a.response, errorCode: a.errorCode,
      })),
    })),
  };
}
