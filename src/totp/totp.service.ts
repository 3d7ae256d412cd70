import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Secret, TOTP } from 'otpauth';
import { toString as qrCode } from 'qrcode';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { deriveKey, open, seal } from '../common/secrets.js';
import { CONFIG, type Config } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { REDIS } from '../redis/redis.module.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import type { TotpSubject } from './totp-subject.js';
import { TotpRepository } from './totp.repository.js';

// RFC 6238 with the parameters every authenticator app supports: HMAC-SHA1, 6 digits, 30 s.
export const TOTP_ISSUER = 'Postmaster';
const TOTP_PERIOD_SECONDS = 30;
const TOTP_DIGITS = 6;
// One step either side (RFC 6238 §5.2 recommends at most one): a clock 30 s off still works.
const TOTP_WINDOW_STEPS = 1;
const TOTP_SECRET_BYTES = 20; // 160 bits, RFC 4226 §4's recommendation
// A code of step T is accepted until step T+1 ends; remembering it for three steps covers that.
const USED_CODE_TTL_SECONDS = TOTP_PERIOD_SECONDS * (2 * TOTP_WINDOW_STEPS + 1);

export interface TotpEnrolmentData {
  secret: string;
  otpauthUrl: string;
  qrCodeSvg: string;
}

/** TOTP for staff users and mailbox owners: enrolment, confirmation, codes, recovery codes. */
@Injectable()
export class TotpService {
  /** Milliseconds since the epoch; replaced in tests of the RFC's vectors. */
  clock: () => number = Date.now;
  private readonly secretKey: Buffer;
  private readonly recoveryKey: Buffer;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly prisma: PrismaService,
    private readonly enrolments: TotpRepository,
    private readonly audit: AuditService,
  ) {
    this.secretKey = deriveKey(config, 'totp-secret');
    this.recoveryKey = deriveKey(config, 'totp-recovery');
  }

  /** Whether the subject has confirmed TOTP (a login then needs a code). */
  async isEnabled(subject: TotpSubject): Promise<boolean> {
    return (await this.enrolments.find(subject))?.confirmedAt != null;
  }

  /** A new secret, not yet in force: `confirm` with a code from the app makes it count. */
  async enrol(subject: TotpSubject): Promise<TotpEnrolmentData> {
    const secret = new Secret({ size: TOTP_SECRET_BYTES });
    const saved = await this.enrolments.saveUnconfirmed(subject, new Uint8Array(seal(this.secretKey, Buffer.from(secret.bytes))));
    if (!saved) throw Problem.conflict('totp_already_enabled', 'TOTP is already on; turn it off before enrolling a new authenticator.');
    const otpauthUrl = this.totp(subject, secret).toString();
    return { secret: secret.base32, otpauthUrl, qrCodeSvg: await qrCode(otpauthUrl, { type: 'svg' }) };
  }

  /** The confirming code turns TOTP on; the ten recovery codes are returned this once. */
  async confirm(actor: Caller, subject: TotpSubject, code: string): Promise<{ recoveryCodes: string[] }> {
    const enrolment = await this.enrolments.find(subject);
    if (!enrolment) throw Problem.conflict('totp_not_enrolled', 'Start an enrolment first.');
    if (enrolment.confirmedAt) throw Problem.conflict('totp_already_enabled', 'TOTP is already on.');
    if (!(await this.accept(subject, enrolment.secretSealed, code))) throw invalidCode();
    const recoveryCodes = newRecoveryCodes();
    await this.prisma.$transaction(async (tx) => {
      const confirmed = await this.enrolments.confirm(tx, subject, recoveryCodes.map((c) => hashRecoveryCode(this.recoveryKey, c)));
      if (!confirmed) throw Problem.conflict('totp_already_enabled', 'TOTP is already on.');
      await this.audit.record(tx, actor, { action: 'totp.enable', resellerId: subject.resellerId, target: { id: subject.id }, after: { subject: subject.kind } });
    });
    return { recoveryCodes };
  }

  /**
   * A login's second step. True once per code: the same code is refused for the rest of its
   * window (RFC 6238 §5.2), whoever presents it.
   */
  async verify(subject: TotpSubject, code: string): Promise<boolean> {
    const enrolment = await this.enrolments.find(subject);
    return enrolment?.confirmedAt != null && this.accept(subject, enrolment.secretSealed, code);
  }

  /** A recovery code instead of a TOTP code: each works once. */
  async useRecoveryCode(subject: TotpSubject, code: string): Promise<boolean> {
    if (!(await this.isEnabled(subject))) return false;
    return this.enrolments.spendRecoveryCode(subject, hashRecoveryCode(this.recoveryKey, code));
  }

  remainingRecoveryCodes(subject: TotpSubject): Promise<number> {
    return this.enrolments.remainingRecoveryCodes(subject);
  }

  /** Ten new recovery codes; the old ones stop working. */
  async regenerateRecoveryCodes(actor: Caller, subject: TotpSubject): Promise<{ recoveryCodes: string[] }> {
    const recoveryCodes = newRecoveryCodes();
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.enrolments.find(subject, tx))?.confirmedAt) throw Problem.conflict('totp_not_enabled', 'TOTP is not on.');
      await this.enrolments.replaceRecoveryCodes(tx, subject, recoveryCodes.map((c) => hashRecoveryCode(this.recoveryKey, c)));
      await this.audit.record(tx, actor, { action: 'totp.recovery_codes_regenerate', resellerId: subject.resellerId, target: { id: subject.id } });
    });
    return { recoveryCodes };
  }

  async disable(actor: Caller, subject: TotpSubject): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.enrolments.remove(tx, subject))) throw Problem.conflict('totp_not_enabled', 'TOTP is not on.');
      await this.audit.record(tx, actor, { action: 'totp.disable', resellerId: subject.resellerId, target: { id: subject.id }, before: { subject: subject.kind } });
    });
  }

  private async accept(subject: TotpSubject, sealed: Uint8Array, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    const totp = this.totp(subject, Secret.fromHex(open(this.secretKey, sealed).toString('hex')));
    const now = this.clock();
    const delta = totp.validate({ token: code, timestamp: now, window: TOTP_WINDOW_STEPS });
    if (delta === null) return false;
    const step = totp.counter({ timestamp: now }) + delta;
    // SET NX: of two requests with the same code, on any API process, exactly one gets through.
    const first = await this.redis.set(`totp:used:${subject.kind}:${subject.id}:${step}`, '1', 'EX', USED_CODE_TTL_SECONDS, 'NX');
    return first === 'OK';
  }

  private totp(subject: TotpSubject, secret: Secret): TOTP {
    return new TOTP({
      issuer: TOTP_ISSUER, label: subject.accountName, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret,
    });
  }
}

function invalidCode(): Problem {
  return Problem.invalidField('code', 'invalid_totp_code', 'This code is not valid; check the time on the device and try the current one.');
}
