import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { MailboxesRepository, type MailboxRow } from './mailboxes.repository.js';

@Injectable()
export class MailboxPasswordsService {
  // Verified when the mailbox does not exist, so that both answers take the same time.
  private decoyHash?: Promise<string>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly mailboxes: MailboxesRepository,
    private readonly policies: PasswordPolicyService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
  ) {}

  /** An admin (or reseller) sets a new password: the policy applies, the old one is not needed. */
  async set(caller: Caller, id: string, password: string): Promise<void> {
    const mailbox = await this.mailboxes.find(Tenant.of(caller), id);
    if (!mailbox) throw Problem.notFound('mailbox');
    await this.replace(caller, mailbox, password, 'mailbox.password_set');
  }

  /** Self-service: the current password proves the change is the owner's. */
  async change(caller: Caller, id: string, currentPassword: string, newPassword: string): Promise<void> {
    const mailbox = await this.mailboxes.find(Tenant.of(caller), id);
    this.decoyHash ??= this.hasher.hash('decoy password for absent mailboxes');
    const matches = await this.hasher.verify(mailbox?.passwordHash ?? (await this.decoyHash), currentPassword);
    if (!mailbox) throw Problem.notFound('mailbox');
    if (!matches) {
      throw Problem.invalidField('currentPassword', 'current_password_incorrect', 'The current password is not correct.');
    }
    await this.replace(caller, mailbox, newPassword, 'mailbox.password_change');
  }

  private async replace(caller: Caller, mailbox: MailboxRow, password: string, action: string): Promise<void> {
    await this.policies.assertAcceptable(password, {
      resellerId: mailbox.domain.resellerId,
      domainPolicy: mailbox.domain.passwordPolicy,
      context: { localPart: mailbox.localPart, domain: mailbox.domain.name, displayName: mailbox.displayName ?? undefined },
      mailbox,
    });
    const passwordHash = await this.hasher.hash(password);
    await this.prisma.$transaction(async (tx) => {
      // Only if nobody changed it meanwhile: the no-reuse rule was checked against this hash.
      const { count } = await tx.mailbox.updateMany({ where: { id: mailbox.id, passwordHash: mailbox.passwordHash }, data: { passwordHash } });
      if (count === 0) throw Problem.conflict('password_changed_concurrently', 'The password was changed meanwhile; try again.');
      await this.policies.rememberReplacedHash(tx, mailbox.id, mailbox.passwordHash);
      // The owner's dashboard sessions end with the password they were opened with (issue 12, item 4).
      await this.sessions.endAllForMailbox(tx, mailbox.id);
      await this.audit.record(tx, caller, { action, resellerId: mailbox.domain.resellerId, target: mailbox });
    });
  }
}
