import { Injectable } from '@nestjs/common';
import type { TotpEnrolment } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { TotpSubject } from './totp-subject.js';

@Injectable()
export class TotpRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(subject: TotpSubject, tx: Tx = this.prisma): Promise<TotpEnrolment | null> {
    return tx.totpEnrolment.findUnique({ where: { subjectKind_subjectId: { subjectKind: subject.kind, subjectId: subject.id } } });
  }

  /** A new secret waiting for its confirming code; an earlier unconfirmed one is replaced. */
  async saveUnconfirmed(subject: TotpSubject, secretSealed: Uint8Array<ArrayBuffer>): Promise<boolean> {
    const { count } = await this.prisma.totpEnrolment.updateMany({
      where: { subjectKind: subject.kind, subjectId: subject.id, confirmedAt: null },
      data: { secretSealed, createdAt: new Date() },
    });
    if (count > 0) return true;
    const created = await this.prisma.totpEnrolment.createMany({
      data: { subjectKind: subject.kind, subjectId: subject.id, secretSealed },
      skipDuplicates: true,
    });
    return created.count > 0;
  }

  /** Only if still unconfirmed: of two racing confirmations, one wins. */
  async confirm(tx: Tx, subject: TotpSubject, codeHashes: string[]): Promise<boolean> {
    const { count } = await tx.totpEnrolment.updateMany({
      where: { subjectKind: subject.kind, subjectId: subject.id, confirmedAt: null },
      data: { confirmedAt: new Date() },
    });
    if (count === 0) return false;
    await this.replaceRecoveryCodes(tx, subject, codeHashes);
    return true;
  }

  async replaceRecoveryCodes(tx: Tx, subject: TotpSubject, codeHashes: string[]): Promise<void> {
    await tx.totpRecoveryCode.deleteMany({ where: { subjectKind: subject.kind, subjectId: subject.id } });
    await tx.totpRecoveryCode.createMany({
      data: codeHashes.map((codeHash) => ({ subjectKind: subject.kind, subjectId: subject.id, codeHash })),
    });
  }

  /** Marks the code used if it is unused: a conditional update, so it is spent exactly once. */
  async spendRecoveryCode(subject: TotpSubject, codeHash: string): Promise<boolean> {
    const { count } = await this.prisma.totpRecoveryCode.updateMany({
      where: { subjectKind: subject.kind, subjectId: subject.id, codeHash, usedAt: null },
      data: { usedAt: new Date() },
    });
    return count === 1;
  }

  remainingRecoveryCodes(subject: TotpSubject): Promise<number> {
    return this.prisma.totpRecoveryCode.count({ where: { subjectKind: subject.kind, subjectId: subject.id, usedAt: null } });
  }

  async remove(tx: Tx, subject: TotpSubject): Promise<boolean> {
    await tx.totpRecoveryCode.deleteMany({ where: { subjectKind: subject.kind, subjectId: subject.id } });
    const { count } = await tx.totpEnrolment.deleteMany({ where: { subjectKind: subject.kind, subjectId: subject.id } });
    return count > 0;
  }
}
