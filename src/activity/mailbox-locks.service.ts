import { Injectable } from '@nestjs/common';
import { AuditService, type SystemActor } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { SendingHold } from '../outbound/sending-hold.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { loginBlockedData } from '../webhooks/webhook-event-data.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';
import { LoginCounters } from './login-counters.js';
import { type LockableMailbox, type MailboxOwner, MailboxLocksRepository } from './mailbox-locks.repository.js';

export type { MailboxOwner } from './mailbox-locks.repository.js';

const MONITOR: SystemActor = { system: 'monitor' };

/**
 * The login lock of a mailbox: PostgreSQL is the truth (Dovecot's passdb view leaves a locked
 * mailbox out), Redis holds a copy for the auth-policy hook, written after the commit.
 */
@Injectable()
export class MailboxLocks {
  constructor(
    private readonly prisma: PrismaService,
    private readonly mailboxes: MailboxLocksRepository,
    private readonly counters: LoginCounters,
    private readonly audit: AuditService,
    private readonly sendingHold: SendingHold,
    private readonly webhooks: WebhookEvents,
  ) {}

  async ownerOf(login: string): Promise<MailboxOwner | null> {
    return (await this.mailboxes.ownersOf([login])).get(login) ?? null;
  }

  /** The tenant of each account that is a mailbox (null: the platform's own domains). */
  async tenantsOf(logins: string[]): Promise<Map<string, string | null>> {
    const owners = await this.mailboxes.ownersOf(logins);
    return new Map([...owners].map(([login, owner]) => [login, owner.resellerId]));
  }

  /** By a rule: whether this call took the lock. */
  async lockLogin(owner: Required<MailboxOwner> & { mailboxId: string }, address: string, reason: string): Promise<boolean> {
    const locked = await this.prisma.$transaction(async (tx) => {
      if (!(await this.mailboxes.lockLogin(tx, owner.mailboxId, reason, new Date()))) return false;
      await this.audit.record(tx, MONITOR, { action: 'mailbox.lock_login', resellerId: owner.resellerId, target: { id: owner.mailboxId }, after: { reason } });
      await this.webhooks.emit(tx, owner.resellerId, 'login.blocked', loginBlockedData({ mailboxId: owner.mailboxId, address, rule: reason }));
      return true;
    });
    if (locked) await this.counters.setLocked(address, true);
    return locked;
  }

  async suspendSending(owner: Required<MailboxOwner> & { mailboxId: string }, reason: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await this.mailboxes.suspendSending(tx, owner.mailboxId, reason, new Date()))) return false;
      // Queued mail waits as `held` until an administrator lifts the suspension (the mailboxes API).
      await this.sendingHold.hold(tx, owner.mailboxId);
      await this.audit.record(tx, MONITOR, { action: 'mailbox.suspend_sending', resellerId: owner.resellerId, target: { id: owner.mailboxId }, after: { reason } });
      await this.webhooks.emitSendingSuspended(tx, owner.resellerId, owner.mailboxId);
      return true;
    });
  }

  /** PUT /v1/mailboxes/{id}/login-lock: an administrator locks a mailbox for login. */
  async lockByCaller(caller: Caller, id: string, reason: string) {
    const mailbox = await this.prisma.$transaction(async (tx) => {
      const mailbox = await this.mailboxes.find(Tenant.of(caller), id, tx);
      if (!mailbox) throw Problem.notFound('mailbox');
      if (await this.mailboxes.lockLogin(tx, id, reason, new Date())) {
        await this.audit.record(tx, caller, { action: 'mailbox.lock_login', resellerId: mailbox.resellerId, target: mailbox, before: lockView(mailbox), after: { loginLocked: true, reason } });
      }
      return this.mailboxes.find(Tenant.of(caller), id, tx);
    });
    await this.counters.setLocked(mailbox!.address, true);
    return lockView(mailbox!);
  }

  /** DELETE /v1/mailboxes/{id}/login-lock: lifting a lock is audited. */
  async unlockByCaller(caller: Caller, id: string) {
    const mailbox = await this.prisma.$transaction(async (tx) => {
      const mailbox = await this.mailboxes.find(Tenant.of(caller), id, tx);
      if (!mailbox) throw Problem.notFound('mailbox');
      if (mailbox.loginLockedAt) {
        await this.mailboxes.unlockLogin(tx, id);
        await this.audit.record(tx, caller, { action: 'mailbox.unlock_login', resellerId: mailbox.resellerId, target: mailbox, before: lockView(mailbox), after: { loginLocked: false } });
      }
      return mailbox;
    });
    await this.counters.setLocked(mailbox.address, false);
  }
}

function lockView(mailbox: LockableMailbox) {
  return { mailboxId: mailbox.id, loginLocked: mailbox.loginLockedAt !== null, lockedAt: mailbox.loginLockedAt, reason: mailbox.loginLockedReason };
}
