import { Prisma } from '../generated/prisma/client.js';
import { assertWithinCaps, type SendLimits, storedLimits } from '../outbound/send-limits.js';
import type { MailboxUpdateDto } from './mailboxes.dto.js';

type SendingColumns = Pick<Prisma.MailboxUncheckedUpdateInput, 'sendLimits' | 'sendingSuspendedAt' | 'sendingSuspendedReason' | 'sendingResumedAt'>;

/**
 * The outgoing-mail part of a mailbox update: its sending limits (within the platform caps) and
 * the suspension switch. Suspending and lifting are audited as actions of their own.
 */
export function sendingChange(
  mailbox: { sendingSuspendedAt: Date | null },
  dto: MailboxUpdateDto,
  caps: SendLimits,
): { columns: SendingColumns; action?: 'mailbox.suspend_sending' | 'mailbox.resume_sending' } {
  const limits = dto.sendLimits === undefined ? undefined : storedLimits(dto.sendLimits);
  if (limits) assertWithinCaps(limits, caps);
  const suspended = mailbox.sendingSuspendedAt !== null;
  const suspending = dto.sendingSuspended === true && !suspended;
  const lifting = dto.sendingSuspended === false && suspended;
  const columns: SendingColumns = {
    ...(limits !== undefined && { sendLimits: limits ?? Prisma.DbNull }),
    ...(suspending && { sendingSuspendedAt: new Date(), sendingSuspendedReason: dto.sendingSuspendedReason ?? null }),
    // sendingResumedAt: the sending monitor counts no mail from before the lift (src/activity/sending-rules.ts).
    ...(lifting && { sendingSuspendedAt: null, sendingSuspendedReason: null, sendingResumedAt: new Date() }),
    // A new reason for a suspension that stays.
    ...(suspended && !lifting && dto.sendingSuspendedReason !== undefined && { sendingSuspendedReason: dto.sendingSuspendedReason }),
  };
  return { columns, action: suspending ? 'mailbox.suspend_sending' : lifting ? 'mailbox.resume_sending' : undefined };
}
