import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { OwnerMailboxesRepository } from '../owners/owner-mailboxes.repository.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { TotpSubject } from '../totp/totp-subject.js';
import { TotpService } from '../totp/totp.service.js';

function invalidCode(): Problem {
  return Problem.invalidField('code', 'invalid_totp_code', 'This code is not valid; check the time on the device and try the current one.');
}

/** The logged-in person's TOTP, on TotpService (which audits confirm, disable and new recovery codes). */
@Injectable()
export class MfaService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly totp: TotpService,
    private readonly audit: AuditService,
    private readonly mailboxes: OwnerMailboxesRepository,
  ) {}

  async enrol(caller: Caller) {
    const subject = subjectOf(caller);
    const { secret, otpauthUrl, qrCodeSvg } = await this.totp.enrol(subject);
    // The secret is the credential: the audit entry records that an enrolment began, never the secret.
    await this.prisma.$transaction((tx) =>
      this.audit.record(tx, caller, { action: 'totp.enrol', resellerId: subject.resellerId, target: { id: subject.id }, after: { subject: subject.kind } }));
    return { secret, otpauthUrl, qrSvg: qrCodeSvg };
  }

  confirm(caller: Caller, code: string) {
    return this.totp.confirm(caller, subjectOf(caller), code);
  }

  async regenerateRecoveryCodes(caller: Caller, code: string) {
    const subject = subjectOf(caller);
    await this.assertCode(subject, code);
    return this.totp.regenerateRecoveryCodes(caller, subject);
  }

  async disable(caller: Caller, code: string): Promise<void> {
    const subject = subjectOf(caller);
    // requireAppPasswords stands on TOTP (the main password then opens only the dashboard): not without it.
    if (subject.kind === 'mailbox' && (await this.mailboxes.findById(subject.id))?.requireAppPasswords) {
      throw Problem.conflict('totp_in_use', 'Turn requireAppPasswords off (PATCH /v1/me) before turning TOTP off.');
    }
    await this.assertCode(subject, code);
    await this.totp.disable(caller, subject);
  }

  private async assertCode(subject: TotpSubject, code: string): Promise<void> {
    if (!(await this.totp.isEnabled(subject))) throw Problem.conflict('totp_not_enabled', 'TOTP is not on.');
    if (!(await this.totp.verify(subject, code))) throw invalidCode();
  }
}

/** Whose TOTP a session changes: its own person's. API keys have none. */
function subjectOf(caller: Caller): TotpSubject {
  const principal = caller.principal;
  if (principal.kind === 'apiKey') throw Problem.forbidden('session_required', 'API keys have no second factor; log in as a person.');
  return { kind: principal.kind, id: principal.id, resellerId: caller.resellerId, accountName: principal.email };
}
