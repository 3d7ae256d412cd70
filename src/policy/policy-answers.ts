import { HOUR_MS, type SendCounter } from '../outbound/send-limits.js';

// What Postfix says to the mail program, in words its user can act on, with RFC 3463 enhanced
// codes: 5.7.1 "delivery not authorized" for refusals, 4.7.1 for limits that lift by themselves,
// 4.3.0 for our own temporary trouble (mail programs retry a 4xx later, they drop a 5xx).
export const DUNNO = 'DUNNO';
export const SUSPENDED = '554 5.7.1 Sending from this mailbox is suspended; contact your provider';
export const SMTP_OFF = '554 5.7.1 Sending by SMTP is switched off for this mailbox; contact your provider';
export const NO_SUCH_SENDER = '554 5.7.1 This login may not send mail; contact your provider';
export const UNAVAILABLE = '451 4.3.0 Sending limits cannot be checked right now, try again later';

export function notOwner(sender: string, login: string): string {
  return `553 5.7.1 Sender address <${sender}> is not owned by user ${login}`;
}

/** The limit that refused: hourly ones lift within the hour, daily ones tomorrow (UTC). */
export function limitReached(counter: SendCounter): string {
  const metric = counter.key.endsWith(':recipients:h') || counter.key.endsWith(':recipients:d') ? 'recipient' : 'sending';
  return counter.windowMs === HOUR_MS
    ? `450 4.7.1 Hourly ${metric} limit reached, try again later`
    : `450 4.7.1 Daily ${metric} limit reached, try again tomorrow`;
}
