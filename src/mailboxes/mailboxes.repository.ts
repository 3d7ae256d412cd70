import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { type Page, pageOf } from '../common/pagination.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

const withDomain = { domain: { select: { name: true, resellerId: true, passwordPolicy: true } } } as const;
export type MailboxRow = Prisma.MailboxGetPayload<{ include: typeof withDomain }>;

@Injectable()
export class MailboxesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The most frequent read (and the start of every mailbox write), so it is plain SQL: Prisma's
   * query compiler costs more CPU than the query itself (bench/mailbox-get.mjs).
   */
  async find(tenant: Tenant, id: string, tx: Tx = this.prisma): Promise<MailboxRow | null> {
    type Row = Omit<MailboxRow, 'domain'> & { domainName: string; resellerId: string | null; domainPolicy: MailboxRow['domain']['passwordPolicy'] };
    const rows = await tx.$queryRaw<Row[]>`
      SELECT m.id, m.domain_id AS "domainId", m.local_part AS "localPart", m.address, m.display_name AS "displayName",
             m.password_hash AS "passwordHash", m.quota_bytes AS "quotaBytes", m.enabled, m.imap_enabled AS "imapEnabled",
             m.pop3_enabled AS "pop3Enabled", m.smtp_enabled AS "smtpEnabled", m.require_app_passwords AS "requireAppPasswords", m.created_at AS "createdAt",
             m.updated_at AS "updatedAt", m.send_limits AS "sendLimits", m.sending_suspended_at AS "sendingSuspendedAt",
             m.sending_suspended_reason AS "sendingSuspendedReason", d.name AS "domainName", d.reseller_id AS "resellerId",
             d.password_policy AS "domainPolicy"
      FROM mailboxes m JOIN domains d ON d.id = m.domain_id
      WHERE m.id = ${id}::uuid AND (${tenant.resellerId}::uuid IS NULL OR d.reseller_id = ${tenant.resellerId}::uuid)`;
    if (!rows[0]) return null;
    const { domainName, resellerId, domainPolicy, ...mailbox } = rows[0];
    return { ...mailbox, domain: { name: domainName, resellerId, passwordPolicy: domainPolicy } };
  }

  /**
   * Locks the row of the reseller owning the mailbox (if any) until the transaction ends. A quota
   * change takes it before reading the mailbox, so the old quota it subtracts is the committed one:
   * read before the lock, a racing change could make it stale and let the total pass the limit.
   */
  async lockOwningReseller(tenant: Tenant, mailboxId: string, tx: Tx): Promise<void> {
    await tx.$queryRaw`
      SELECT r.id FROM resellers r JOIN domains d ON d.reseller_id = r.id JOIN mailboxes m ON m.domain_id = d.id
      WHERE m.id = ${mailboxId}::uuid AND (${tenant.resellerId}::uuid IS NULL OR r.id = ${tenant.resellerId}::uuid)
      FOR UPDATE OF r`;
  }

  findByAddress(tenant: Tenant, address: string): Promise<MailboxRow | null> {
    return this.prisma.mailbox.findFirst({ where: { address, ...tenant.domainFilter() }, include: withDomain });
  }

  async list(tenant: Tenant, query: { limit: number; cursor?: string; q?: string; domainId?: string }): Promise<Page<MailboxRow>> {
    const rows = await this.prisma.mailbox.findMany({
      where: {
        ...tenant.domainFilter(),
        ...(query.domainId && { domainId: query.domainId }),
        address: { ...(query.q && { startsWith: query.q }), ...(query.cursor && { gt: query.cursor }) },
      },
      include: withDomain,
      orderBy: { address: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, (row) => row.address);
  }

  create(tx: Tx, data: Prisma.MailboxUncheckedCreateInput): Promise<MailboxRow> {
    return tx.mailbox.create({ data, include: withDomain });
  }

  update(tx: Tx, id: string, data: Prisma.MailboxUncheckedUpdateInput): Promise<MailboxRow> {
    return tx.mailbox.update({ where: { id }, data, include: withDomain });
  }

  delete(tx: Tx, id: string): Promise<unknown> {
    return tx.mailbox.delete({ where: { id } });
  }
}
