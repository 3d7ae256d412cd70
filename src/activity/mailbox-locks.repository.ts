import { Injectable } from '@nestjs/common';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

export interface MailboxOwner {
  mailboxId: string | null;
  domainId: string | null;
  resellerId: string | null;
}

export interface LockableMailbox {
  id: string;
  address: string;
  domainId: string;
  resellerId: string | null;
  loginLockedAt: Date | null;
  loginLockedReason: string | null;
  sendingSuspendedAt: Date | null;
  createdAt: Date;
}

@Injectable()
export class MailboxLocksRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Mailboxes by address, with their tenant (logins are addresses, lower-cased). */
  async ownersOf(addresses: string[]): Promise<Map<string, Required<MailboxOwner>>> {
    if (!addresses.length) return new Map();
    const rows = await this.prisma.mailbox.findMany({
      where: { address: { in: addresses } },
      select: { id: true, address: true, domainId: true, domain: { select: { resellerId: true } } },
    });
    return new Map(rows.map((m) => [m.address, { mailboxId: m.id, domainId: m.domainId, resellerId: m.domain.resellerId }]));
  }

  /** Every domain name of a tenant: what a block the tenant's own reports fired covers. */
  async domainNamesOf(resellerId: string): Promise<string[]> {
    const rows = await this.prisma.domain.findMany({ where: { resellerId }, select: { name: true } });
    return rows.map((row) => row.name);
  }

  async find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<LockableMailbox | null> {
    const row = await tx.mailbox.findFirst({
      where: { id, ...tenant.domainFilter() },
      select: {
        id: true, address: true, domainId: true, loginLockedAt: true, loginLockedReason: true, sendingSuspendedAt: true, createdAt: true,
        domain: { select: { resellerId: true } },
      },
    });
    if (!row) return null;
    const { domain, ...mailbox } = row;
    return { ...mailbox, resellerId: domain.resellerId };
  }

  /** Sets the lock unless one is in force; whether this call took it. */
  async lockLogin(tx: Tx, id: string, reason: string, at: Date): Promise<boolean> {
    const { count } = await tx.mailbox.updateMany({ where: { id, loginLockedAt: null }, data: { loginLockedAt: at, loginLockedReason: reason } });
    return count === 1;
  }

  async unlockLogin(tx: Tx, id: string): Promise<void> {
    await tx.mailbox.update({ where: { id }, data: { loginLockedAt: null, loginLockedReason: null } });
  }

  /** Suspends outgoing mail unless it already is; whether this call did. */
  async suspendSending(tx: Tx, id: string, reason: string, at: Date): Promise<boolean> {
    const { count } = await tx.mailbox.updateMany({ where: { id, sendingSuspendedAt: null }, data: { sendingSuspendedAt: at, sendingSuspendedReason: reason } });
    return count === 1;
  }
}
