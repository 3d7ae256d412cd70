import { Injectable } from '@nestjs/common';
import type { Domain, Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

/**
 * The worker-side queries on domains (across tenants: the worker acts for the platform) and the
 * conditional updates that make each step safe to run twice. Request paths find the domain
 * through DomainsRepository with the caller's tenant first.
 */
@Injectable()
export class DomainDnsRepository {
  constructor(private readonly prisma: PrismaService) {}

  pending(limit: number): Promise<Domain[]> {
    return this.prisma.domain.findMany({ where: { status: 'pending_verification', verifiedAt: null }, take: limit, orderBy: { createdAt: 'asc' } });
  }

  /** Active domains whose last DNS check is older than `before` (or missing), stalest first. */
  staleChecks(before: Date, limit: number): Promise<Domain[]> {
    return this.prisma.domain.findMany({
      where: { status: 'active', OR: [{ dnsCheckedAt: null }, { dnsCheckedAt: { lt: before } }] },
      take: limit, orderBy: { dnsCheckedAt: { sort: 'asc', nulls: 'first' } },
    });
  }

  /** An active domain that publishes an MTA-STS policy, by name (the policy host is public). */
  withMtaSts(name: string): Promise<Domain | null> {
    return this.prisma.domain.findFirst({ where: { name, status: 'active', mtaStsMode: { not: null } } });
  }

  findById(id: string, tx: Tx = this.prisma): Promise<Domain | null> {
    return tx.domain.findUnique({ where: { id } });
  }

  /** Verified now, and active if it was pending; null if it was verified or deleted meanwhile. */
  async markVerified(tx: Tx, domain: Domain): Promise<Domain | null> {
    const { count } = await tx.domain.updateMany({
      where: { id: domain.id, verifiedAt: null },
      data: { verifiedAt: new Date(), ...(domain.status === 'pending_verification' && { status: 'active' }) },
    });
    return count === 0 ? null : tx.domain.findUniqueOrThrow({ where: { id: domain.id } });
  }

  async deleteUnverified(tx: Tx, id: string): Promise<boolean> {
    const { count } = await tx.domain.deleteMany({ where: { id, verifiedAt: null, status: 'pending_verification' } });
    return count === 1;
  }

  saveCheck(tx: Tx, id: string, check: Prisma.InputJsonValue, at: Date): Promise<Domain> {
    return tx.domain.update({ where: { id }, data: { dnsCheck: check, dnsCheckedAt: at } });
  }

  /** The domain's row, locked until the transaction ends: one writer of its check at a time. */
  async lock(tx: Tx, id: string): Promise<Domain | null> {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM domains WHERE id = ${id}::uuid FOR UPDATE`;
    return rows.length ? tx.domain.findUnique({ where: { id } }) : null;
  }
}
