import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { OwnerMailbox } from '../sessions/person.js';

const SELECT = {
  id: true, address: true, passwordHash: true, enabled: true, loginLockedAt: true, requireAppPasswords: true,
  domain: { select: { resellerId: true } },
} satisfies Prisma.MailboxSelect;

type Row = Prisma.MailboxGetPayload<{ select: typeof SELECT }>;

export function ownerMailboxOf({ domain, ...row }: Row): OwnerMailbox {
  return { ...row, resellerId: domain.resellerId };
}

/** Mailboxes as their owners see them: by address at login, by id from the session. */
@Injectable()
export class OwnerMailboxesRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findByAddress(address: string): Promise<OwnerMailbox | null> {
    const row = await this.prisma.mailbox.findUnique({ where: { address: address.toLowerCase() }, select: SELECT });
    return row && ownerMailboxOf(row);
  }

  async findById(id: string, tx: Tx = this.prisma): Promise<OwnerMailbox | null> {
    const row = await tx.mailbox.findUnique({ where: { id }, select: SELECT });
    return row && ownerMailboxOf(row);
  }

  async setRequireAppPasswords(tx: Tx, id: string, requireAppPasswords: boolean): Promise<OwnerMailbox> {
    return ownerMailboxOf(await tx.mailbox.update({ where: { id }, data: { requireAppPasswords }, select: SELECT }));
  }
}
