import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import MailComposer from 'nodemailer/lib/mail-composer';
import { AuditService } from '../audit/audit.service.js';
import { Problem } from '../common/problem.js';
import { CONFIG, type Config } from '../config/config.js';
import type { User } from '../generated/prisma/client.js';
import { insertSystemMessage } from '../outbound/system-messages.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { StaffPasswords } from '../users/staff-passwords.service.js';
import { callerForUser } from '../users/user-roles.js';
import { PasswordResetThrottle } from './password-reset-throttle.js';
import { hashToken } from './session-tokens.js';

export const RESET_TOKEN_TTL_MS = 30 * 60_000;
const RESET_TOKEN_BYTES = 32;
const RESET_TOKEN_INVALID = 'The reset link is unknown, used or expired; ask for a new one.';

/** Self-service reset: a single-use, expiring token e-mailed through Postmaster's own outgoing queue. */
@Injectable()
export class PasswordResetService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly users: UsersRepository,
    private readonly passwords: StaffPasswords,
    private readonly audit: AuditService,
    private readonly throttle: PasswordResetThrottle,
  ) {}

  /** Answers the same whether the account exists or not; only an enabled one gets mail. */
  async request(request: FastifyRequest, email: string): Promise<void> {
    await this.throttle.take(email, request.ip);
    const user = await this.users.findByEmail(email);
    if (!user || user.disabledAt) return;
    const token = randomBytes(RESET_TOKEN_BYTES).toString('base64url');
    const mail = await this.compose(user, token);
    await this.prisma.$transaction(async (tx) => {
      const now = Date.now();
      await tx.passwordResetToken.create({ data: { tokenHash: hashToken(token), userId: user.id, createdAt: new Date(now), expiresAt: new Date(now + RESET_TOKEN_TTL_MS) } });
      // The reconciler enqueues the committed row (OUTBOUND_RECONCILE_EVERY_MS), as for alert e-mails.
      await insertSystemMessage(tx, {
        id: mail.id, kind: 'notification', resellerId: user.resellerId, mailFrom: mail.from, fromHeader: `Postmaster <${mail.from}>`,
        to: user.email, subject: mail.subject, messageIdHeader: mail.messageIdHeader, raw: mail.raw,
        expiresAt: new Date(Date.now() + RESET_TOKEN_TTL_MS),
      });
      await this.audit.record(tx, callerForUser(user, null, request.ip, String(request.id)), {
        action: 'user.password_reset_request', resellerId: user.resellerId, target: user,
      });
    });
  }

  async confirm(request: FastifyRequest, token: string, password: string): Promise<void> {
    const row = await this.prisma.passwordResetToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
    if (!row || row.usedAt || row.expiresAt <= new Date() || row.user.disabledAt) {
      throw new Problem(422, 'reset_token_invalid', RESET_TOKEN_INVALID);
    }
    await this.passwords.replace(callerForUser(row.user, null, request.ip, String(request.id)), row.user, password, 'user.password_reset', async (tx) => {
      // Claimed in the same transaction as the new password: a second use finds it taken.
      const { count } = await tx.passwordResetToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
      if (count === 0) throw new Problem(422, 'reset_token_invalid', RESET_TOKEN_INVALID);
    });
  }

  private async compose(user: User, token: string) {
    const id = randomUUID();
    const from = this.config.NOTIFICATION_FROM ?? `postmaster@${this.config.MAIL_HOSTNAME}`;
    const messageIdHeader = `<${id}@${this.config.MAIL_HOSTNAME}>`;
    const subject = 'Reset your Postmaster password';
    const link = this.config.DASHBOARD_URL ? `${this.config.DASHBOARD_URL.replace(/\/$/, '')}/reset-password?token=${token}` : null;
    const text = [
      `Someone asked to reset the Postmaster password of ${user.email}.`,
      '',
      link ? 'Open this link to choose a new password:' : 'Send this token, with a new password, to POST /v1/auth/password-reset/confirm:',
      // Alone on its line: a long line would be folded and the token with it.
      link ?? token,
      '',
      `It works once, for ${RESET_TOKEN_TTL_MS / 60_000} minutes. If you did not ask for it, ignore this message.`,
    ].join('\n');
    const composer = new MailComposer({
      from: { name: 'Postmaster', address: from }, to: user.email, subject, text, messageId: messageIdHeader,
      headers: { 'Auto-Submitted': 'auto-generated' }, disableFileAccess: true, disableUrlAccess: true, newline: 'win',
    });
    return { id, from, subject, messageIdHeader, raw: await composer.compile().build() };
  }
}
