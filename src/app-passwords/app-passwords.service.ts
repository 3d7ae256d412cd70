import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { newAppPassword } from './app-password-secret.js';
import { type AppPasswordCreateDto, appPasswordView } from './app-passwords.dto.js';
import { AppPasswordsRepository } from './app-passwords.repository.js';

// One per device; a mailbox with more has stopped revoking the old ones.
export const MAX_APP_PASSWORDS_PER_MAILBOX = 50;
// A new selector when the random one is already used by this mailbox (31^4 choices, 50 rows).
const SELECTOR_ATTEMPTS = 5;

@Injectable()
export class AppPasswordsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly appPasswords: AppPasswordsRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  /** The password is in this answer and nowhere else: only its {ARGON2ID} hash is stored. */
  async create(caller: Caller, mailboxId: string, dto: AppPasswordCreateDto) {
    const tenant = Tenant.of(caller);
    if (!(await this.appPasswords.findMailbox(tenant, mailboxId))) throw Problem.notFound('mailbox');
    const protocols = [...new Set(dto.protocols ?? [])].sort();
    for (let attempt = 0; attempt < SELECTOR_ATTEMPTS; attempt++) {
      const { password, selector } = newAppPassword();
      // Hashed before the transaction, so the mailbox row is locked only for the insert.
      const passwordHash = await this.hasher.hash(password);
      const created = await this.prisma.$transaction(async (tx) => {
        const mailbox = await this.appPasswords.lockMailbox(tx, tenant, mailboxId);
        if (!mailbox) throw Problem.notFound('mailbox');
        if ((await this.appPasswords.count(tx, mailboxId)) >= MAX_APP_PASSWORDS_PER_MAILBOX) {
          throw Problem.conflict('app_password_limit', `A mailbox has at most ${MAX_APP_PASSWORDS_PER_MAILBOX} app passwords; revoke unused ones first.`);
        }
        if (await this.appPasswords.selectorTaken(tx, mailboxId, selector)) return null;
        const row = await this.appPasswords.create(tx, { mailboxId, name: dto.name, selector, passwordHash, protocols });
        await this.audit.record(tx, caller, { action: 'app_password.create', resellerId: mailbox.resellerId, target: row, after: appPasswordView(row) });
        return row;
      });
      if (created) return { ...appPasswordView(created), password };
    }
    throw Problem.conflict('app_password_collision', 'Could not pick an unused app password; try again.');
  }

  async list(caller: Caller, mailboxId: string) {
    if (!(await this.appPasswords.findMailbox(Tenant.of(caller), mailboxId))) throw Problem.notFound('mailbox');
    return { items: (await this.appPasswords.list(mailboxId)).map(appPasswordView), nextCursor: null };
  }

  /** Dovecot reads the view on every login (no auth cache), so the next login with it fails. */
  async revoke(caller: Caller, mailboxId: string, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const mailbox = await this.appPasswords.lockMailbox(tx, Tenant.of(caller), mailboxId);
      if (!mailbox) throw Problem.notFound('mailbox');
      const row = await this.appPasswords.find(tx, mailboxId, id);
      if (!row) throw Problem.notFound('app password');
      await this.appPasswords.delete(tx, id);
      await this.audit.record(tx, caller, { action: 'app_password.revoke', resellerId: mailbox.resellerId, target: row, before: appPasswordView(row) });
    });
  }
}
