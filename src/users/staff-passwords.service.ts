import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import type { User } from '../generated/prisma/client.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { newOneTimePassword } from './one-time-password.js';

/**
 * Every way a staff password changes: the person's own change, a reset link, an admin's reset.
 * Each one ends every session of the user in the same transaction as the new hash.
 */
@Injectable()
export class StaffPasswords {
  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PasswordPolicyService,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** A password the person chose: the platform's password policy applies (staff belong to no domain). */
  async replace(actor: Caller, user: User, password: string, action: string, alsoInTx?: (tx: Tx) => Promise<void>): Promise<User> {
    const at = user.email.lastIndexOf('@');
    await this.policies.assertAcceptable(password, {
      resellerId: null, context: { localPart: user.email.slice(0, at), domain: user.email.slice(at + 1) },
    });
    return this.write(actor, user, await this.hasher.hash(password), false, action, alsoInTx);
  }

  /** A one-time password (admin reset): shown once, and the next login may only change it. */
  async resetToOneTime(actor: Caller, user: User): Promise<string> {
    const password = newOneTimePassword();
    await this.write(actor, user, await this.hasher.hash(password), true, 'user.password_reset_by_admin');
    return password;
  }

  async verify(user: User, password: string): Promise<boolean> {
    return this.hasher.verify(user.passwordHash, password);
  }

  private write(actor: Caller, user: User, passwordHash: string, mustChangePassword: boolean, action: string, alsoInTx?: (tx: Tx) => Promise<void>) {
    return this.prisma.$transaction(async (tx) => {
      // Only if nobody changed it meanwhile, like a mailbox password (src/mailboxes).
      const { count } = await tx.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash, mustChangePassword } });
      if (count === 0) throw Problem.conflict('password_changed_concurrently', 'The password was changed meanwhile; try again.');
      await alsoInTx?.(tx);
      const ended = await this.sessions.endAll(tx, user.id);
      await this.audit.record(tx, actor, { action, resellerId: user.resellerId, target: user, after: { sessionsEnded: ended } });
      return tx.user.findUniqueOrThrow({ where: { id: user.id } });
    });
  }
}
