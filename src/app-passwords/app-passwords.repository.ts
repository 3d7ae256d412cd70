import { Injectable } from '@nestjs/common';
import type { MailboxAppPassword } from '../generated/prisma/client.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

export interface OwningMailbox {
  id: string;
  resellerId: string | null;
}

@Injectable()
export class AppPasswordsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The mailbox, if the tenant may see it, locked until the transaction ends (the count per mailbox). */
  async lockMailbox(tx: Tx, tenant: Tenant, mailboxId: string): Promise<OwningMailbox | null> {
    const rows = await tx.$queryRaw<OwningMailbox[]>`
      SELECT m.id, d.reseller_id AS "resellerId" FROM mailboxes m JOIN domains d ON d.id = m.domain_id
      WHERE m.id = ${mailboxId}::uuid AND (${tenant.resellerId}::uuid IS NULL OR d.reseller_id = ${tenant.resellerId}::uuid)
      FOR UPDATE OF m`;
    return rows[0] ?? null;
  }

  async findMailbox(tenant: Tenant, mailboxId: string): Promise<OwningMailbox | null> {
    const mailbox = await this.prisma.mailbox.findFirst({
      where: { id: mailboxId, ...tenant.domainFilter() }, select: { id: true, domain: { select: { resellerId: true } } },
    });
    return mailbox && { id: mailbox.id, resellerId: mailbox.domain.resellerId };
  }

  count(tx: Tx, mailboxId: string): Promise<number> {
    return tx.mailboxAppPassword.count({ where: { mailboxId } });
  }

  selectorTaken(tx: Tx, mailboxId: string, selector: string): Promise<number> {
    return tx.mailboxAppPassword.count({ where: { mailboxId, selector } });
  }

  create(tx: Tx, data: { mailboxId: string; name: string; selector: string; passwordHash: string; protocols: string[] }): Promise<MailboxAppPassword> {
    return tx.mailboxAppPassword.create({ data });
  }

  list(mailboxId: string): Promise<MailboxAppPassword[]> {
    return this.prisma.mailboxAppPassword.findMany({ where: { mailboxId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  find(tx: Tx, mailboxId: string, id: string): Promise<MailboxAppPassword | null> {
    return tx.mailboxAppPassword.findFirst({ where: { id, mailboxId } });
  }

  /** A successful mail login with it (Dovecot's auth-policy report). A revoked one is simply gone. */
  async markUsed(id: string, at: Date): Promise<void> {
    await this.prisma.mailboxAppPassword.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }

  delete(tx: Tx, id: string): Promise<unknown> {
    return tx.mailboxAppPassword.delete({ where: { id } });
  }
}
