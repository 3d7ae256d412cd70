import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AllowedBeforeMfaEnrolment, AllowedBeforePasswordChange, MailboxOwnerRoute, OwnAccount } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { MailboxPasswordsService } from '../mailboxes/mailbox-passwords.service.js';
import { OwnerMailboxesRepository } from '../owners/owner-mailboxes.repository.js';
import { TotpService } from '../totp/totp.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { PasswordChangeDto } from '../users/users.dto.js';
import { StaffPasswords } from '../users/staff-passwords.service.js';
import { LoginService } from './login.service.js';
import { USER_MFA, type UserMfa } from './user-mfa.js';

@ApiTags('me')
@ApiBearerAuth()
@MailboxOwnerRoute()
@Controller('v1/me')
export class MeController {
  constructor(
    @Inject(USER_MFA) private readonly mfa: UserMfa,
    private readonly users: UsersRepository,
    private readonly passwords: StaffPasswords,
    private readonly login: LoginService,
    private readonly mailboxes: OwnerMailboxesRepository,
    private readonly mailboxPasswords: MailboxPasswordsService,
    private readonly totp: TotpService,
  ) {}

  /** Who is calling: a person (role), a mailbox owner (its mailbox) or an API key, the tenant (null: the platform), and a second factor. */
  @Get()
  @AllowedBeforePasswordChange()
  @AllowedBeforeMfaEnrolment()
  async me(@CurrentCaller() caller: Caller) {
    const common = { tenant: caller.resellerId, readOnly: caller.readOnly };
    const principal = caller.principal;
    if (principal.kind === 'apiKey') return { kind: 'apiKey' as const, id: principal.id, role: null, ...common, scopes: caller.scopes, mfa: false };
    if (principal.kind === 'mailbox') {
      const mailbox = await this.mailboxes.findById(principal.id);
      if (!mailbox) throw Problem.notFound('mailbox');
      return {
        kind: 'mailbox' as const, id: mailbox.id, mailboxId: mailbox.id, email: mailbox.address, role: null, ...common,
        mustChangePassword: false, requireAppPasswords: mailbox.requireAppPasswords,
        mfa: await this.totp.isEnabled({ kind: 'mailbox', id: mailbox.id, resellerId: mailbox.resellerId, accountName: mailbox.address }),
      };
    }
    const user = await this.users.findById(principal.id);
    return {
      kind: 'user' as const, id: principal.id, email: principal.email, role: principal.role, ...common,
      mustChangePassword: principal.mustChangePassword, mfaEnrolmentRequired: principal.mustEnrolMfa ?? false,
      mfa: user ? await this.mfa.isEnrolled(user) : false,
    };
  }

  /**
   * A person's own change (the platform or mailbox password policy applies): every session ends,
   * and this answer carries a new one (cookie and CSRF token).
   */
  @Post('password')
  @OwnAccount()
  @AllowedBeforePasswordChange()
  @AllowedBeforeMfaEnrolment()
  @HttpCode(200)
  async changePassword(
    @CurrentCaller() caller: Caller, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply,
    @Body({ schema: PasswordChangeDto }) dto: PasswordChangeDto,
  ) {
    if (caller.principal.kind === 'apiKey') throw Problem.forbidden('session_required', 'API keys have no password; log in as a person.');
    if (dto.newPassword === dto.currentPassword) {
      throw Problem.invalidField('newPassword', 'password_unchanged', 'Choose a password other than the current one.');
    }
    if (caller.principal.kind === 'mailbox') {
      // The mailbox's own rules (its domain's policy, no reuse), and its sessions end in the same transaction.
      await this.mailboxPasswords.change(caller, caller.principal.id, dto.currentPassword, dto.newPassword);
      const mailbox = await this.mailboxes.findById(caller.principal.id);
      if (!mailbox) throw Problem.notFound('mailbox');
      return this.login.open(request, reply, { kind: 'mailbox', mailbox });
    }
    const user = await this.users.findById(caller.principal.id);
    if (!user) throw Problem.notFound('user');
    if (!(await this.passwords.verify(user, dto.currentPassword))) {
      throw Problem.invalidField('currentPassword', 'current_password_incorrect', 'The current password is not correct.');
    }
    const changed = await this.passwords.replace(caller, user, dto.newPassword, 'user.password_change');
    return this.login.open(request, reply, { kind: 'user', user: changed });
  }
}
