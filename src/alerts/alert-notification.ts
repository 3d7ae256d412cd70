import MailComposer from 'nodemailer/lib/mail-composer';
import type { Alert } from '../generated/prisma/client.js';

export interface AlertNotificationInput {
  alert: Pick<Alert, 'id' | 'mailboxId' | 'rule' | 'severity' | 'summary' | 'evidence' | 'actions' | 'createdAt'>;
  /** The mailbox the alert is about, if any. */
  mailboxAddress: string | null;
  from: string;
  to: string;
  /** The host named in the Message-ID. */
  hostname: string;
  messageId: string;
}

// A subject line stays on one line whatever a summary holds (it comes from addresses, IPs, DNS answers).
const MAX_SUMMARY_CHARS = 180;

/**
 * The e-mail telling a tenant about a new alert: plain text, naming the rule, the mailbox and what
 * was done, with the evidence as JSON. `Auto-Submitted: auto-generated` (RFC 3834 §5) keeps
 * auto-responders from answering it.
 */
export async function composeAlertNotification(input: AlertNotificationInput): Promise<{ raw: Buffer; subject: string; messageIdHeader: string }> {
  const { alert } = input;
  const summary = oneLine(alert.summary).slice(0, MAX_SUMMARY_CHARS);
  const subject = `[Postmaster ${alert.severity}] ${alert.rule}${input.mailboxAddress ? ` on ${input.mailboxAddress}` : ''}: ${summary}`;
  const actions = Array.isArray(alert.actions) ? (alert.actions as { type?: string }[]) : [];
  const text = [
    `Postmaster raised an alert (${alert.severity}).`,
    '',
    `Rule:     ${alert.rule}`,
    ...(input.mailboxAddress ? [`Mailbox:  ${input.mailboxAddress}`] : []),
    `Summary:  ${oneLine(alert.summary)}`,
    `Raised:   ${alert.createdAt.toISOString()}`,
    `Actions:  ${actions.length ? actions.map((a) => describeAction(a.type)).join('; ') : 'none (an alert only)'}`,
    '',
    `See it with GET /v1/alerts/${alert.id}, and acknowledge or resolve it with PATCH /v1/alerts/${alert.id}.`,
    ...(actions.some((a) => a.type === 'suspend_sending')
      ? [`Once the cause is dealt with, lift the suspension with PATCH /v1/mailboxes/${alert.mailboxId} {"sendingSuspended": false}; its held mail is then sent.`]
      : []),
    '',
    'Evidence:',
    JSON.stringify(alert.evidence, null, 2),
  ].join('\n');
  const messageIdHeader = `<${input.messageId}@${input.hostname}>`;
  const composer = new MailComposer({
    from: { name: 'Postmaster', address: input.from },
    to: input.to,
    subject,
    text,
    messageId: messageIdHeader,
    date: alert.createdAt,
    headers: { 'Auto-Submitted': 'auto-generated' },
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
  });
  return { raw: await composer.compile().build(), subject, messageIdHeader };
}

function describeAction(type: string | undefined): string {
  switch (type) {
    case 'suspend_sending': return 'outgoing mail suspended, waiting messages held';
    case 'lock_login': return 'login locked';
    case 'reject': return 'logins refused for a while';
    case 'tarpit': return 'logins slowed down for a while';
    default: return String(type);
  }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}
