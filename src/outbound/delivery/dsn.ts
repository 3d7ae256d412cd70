import { randomBytes } from 'node:crypto';

// Delivery status notifications (RFC 3464) in a multipart/report (RFC 6522): a human part, the
// machine-readable message/delivery-status, and the original message's header (text/rfc822-headers).
// They are sent with the null reverse-path, so no DSN is ever sent about one (RFC 3464 §2, RFC 5321 §4.5.5).

export interface DsnRecipient {
  address: string;
  /** RFC 3463 status: 5.x.x (or 4.x.x once given up) for failed, 4.x.x for delayed. */
  status: string;
  remoteMta?: string | null;
  /** The server's reply (`smtp;` diagnostic), or our own explanation when there was none. */
  diagnostic: string;
  diagnosticIsSmtp: boolean;
  lastAttemptAt: Date;
}

export interface DsnInput {
  action: 'failed' | 'delayed';
  reportingMta: string;
  queueId: string;
  /** The original's envelope sender: the DSN's only recipient. */
  to: string;
  originalRaw: Buffer;
  arrivalDate: Date;
  /** Delayed reports: when Postmaster gives up. */
  willRetryUntil?: Date;
  recipients: DsnRecipient[];
}

const CRLF = '\r\n';
// RFC 5322 §2.1.1: lines of at most 998 characters; server replies are cut well before that.
const MAX_DIAGNOSTIC_CHARS = 900;

export function composeDsn(input: DsnInput, now = new Date()): { raw: Buffer; subject: string; from: string; messageId: string } {
  const boundary = `=_report_${randomBytes(12).toString('hex')}`;
  const from = `MAILER-DAEMON@${input.reportingMta}`;
  const messageId = `<${randomBytes(16).toString('hex')}@${input.reportingMta}>`;
  const subject = input.action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)';
  const headers = [
    `From: Mail Delivery System <${from}>`,
    `To: <${line(input.to)}>`,
    `Subject: ${subject}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    // RFC 3834 §5: an automatic reply, which no auto-responder answers.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;${CRLF}\tboundary="${boundary}"`,
  ];
  const parts = [
    part('text/plain; charset=us-ascii', humanText(input)),
    part('message/delivery-status', deliveryStatus(input)),
    part('text/rfc822-headers; charset=us-ascii', originalHeaders(input.originalRaw)),
  ];
  const body = parts.map((p) => `--${boundary}${CRLF}${p}`).join(CRLF) + `${CRLF}--${boundary}--${CRLF}`;
  const raw = Buffer.from(headers.join(CRLF) + CRLF + CRLF + 'This is a MIME-encapsulated message.' + CRLF + CRLF + body, 'utf8');
  return { raw, subject, from, messageId };
}

function part(contentType: string, content: string): string {
  return `Content-Type: ${contentType}${CRLF}Content-Transfer-Encoding: 7bit${CRLF}${CRLF}${content}${CRLF}`;
}

function humanText(input: DsnInput): string {
  const lines = input.action === 'failed'
    ? ['This is the mail system at ' + input.reportingMta + '.', '', 'Your message could not be delivered to the recipients below.', 'The error reported for each is given after the address.']
    : ['This is the mail system at ' + input.reportingMta + '.', '', 'Your message has not been delivered yet to the recipients below.', `It will be retried until ${input.willRetryUntil?.toUTCString()}; you need not send it again.`];
  lines.push('');
  for (const r of input.recipients) lines.push(`<${line(r.address)}>: ${line(r.diagnostic)}`);
  return lines.join(CRLF);
}

function deliveryStatus(input: DsnInput): string {
  const perMessage = [
    `Reporting-MTA: dns; ${input.reportingMta}`,
    `X-Postmaster-Queue-ID: ${input.queueId}`,
    `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
  ];
  const perRecipient = input.recipients.map((r) => [
    `Final-Recipient: rfc822; ${line(r.address)}`,
    `Action: ${input.action}`,
    `Status: ${r.status}`,
    ...(r.remoteMta ? [`Remote-MTA: dns; ${r.remoteMta}`] : []),
    `Diagnostic-Code: ${r.diagnosticIsSmtp ? 'smtp' : 'x-postmaster'}; ${line(r.diagnostic)}`,
    `Last-Attempt-Date: ${rfc5322Date(r.lastAttemptAt)}`,
    ...(input.action === 'delayed' && input.willRetryUntil ? [`Will-Retry-Until: ${rfc5322Date(input.willRetryUntil)}`] : []),
  ].join(CRLF));
  return [perMessage.join(CRLF), ...perRecipient].join(CRLF + CRLF) + CRLF;
}

/** The header section, unfolded lines kept as they are; 8-bit bytes would break a 7bit part. */
function originalHeaders(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  return ascii(header.replace(/\r?\n/g, CRLF));
}

function ascii(text: string): string {
  return text.replace(/[^\x09\x0a\x0d\x20-\x7e]/g, '?');
}

/** A field value: one line of printable ASCII, whatever a server put in its reply. */
function line(text: string): string {
  return ascii(text.replace(/\s*[\r\n]+\s*/g, ' ')).slice(0, MAX_DIAGNOSTIC_CHARS);
}

function rfc5322Date(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}
