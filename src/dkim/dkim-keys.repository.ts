import { Injectable } from '@nestjs/common';
import type { DkimAlgorithm, DkimKey } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

export type NewDkimKey = Pick<DkimKey, 'domainId' | 'selector' | 'algorithm' | 'state' | 'publicKey' | 'activatedAt'> & { privateKey: Uint8Array<ArrayBuffer> };

/** DKIM keys. Callers have already checked the domain's tenant: keys are reached through their domain. */
@Injectable()
export class DkimKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Active, next and retired keys, oldest first. */
  ofDomain(domainId: string, tx: Tx = this.prisma): Promise<DkimKey[]> {
    return tx.dkimKey.findMany({ where: { domainId }, orderBy: [{ createdAt: 'asc' }, { selector: 'asc' }] });
  }

  ofDomains(domainIds: string[]): Promise<DkimKey[]> {
    return this.prisma.dkimKey.findMany({ where: { domainId: { in: domainIds } }, orderBy: [{ createdAt: 'asc' }, { selector: 'asc' }] });
  }

  active(domainId: string): Promise<DkimKey[]> {
    return this.prisma.dkimKey.findMany({ where: { domainId, state: 'active' }, orderBy: { algorithm: 'asc' } });
  }

  /**
   * Serializes key changes of one domain: the row lock on the domain is held until the
   * transaction ends, so two workers creating or promoting keys at once take turns.
   */
  async lockDomain(tx: Tx, domainId: string): Promise<boolean> {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM domains WHERE id = ${domainId}::uuid FOR UPDATE`;
    return rows.length === 1;
  }

  create(tx: Tx, key: NewDkimKey): Promise<DkimKey> {
    return tx.dkimKey.create({ data: key });
  }

  /** Next keys of every domain, for the worker that watches DNS for their records. */
  allNext(): Promise<(DkimKey & { domain: { name: string; resellerId: string | null } })[]> {
    return this.prisma.dkimKey.findMany({ where: { state: 'next' }, include: { domain: { select: { name: true, resellerId: true } } } });
  }

  /** Active keys activated before `before` whose domain has no next key of that algorithm yet. */
  dueForRotation(before: Date): Promise<DkimKey[]> {
    return this.prisma.$queryRaw<DkimKey[]>`
      SELECT k.id, k.domain_id AS "domainId", k.algorithm::text AS algorithm FROM dkim_keys k
      WHERE k.state = 'active' AND COALESCE(k.activated_at, k.created_at) < ${before}
        AND NOT EXISTS (SELECT 1 FROM dkim_keys n WHERE n.domain_id = k.domain_id AND n.algorithm = k.algorithm AND n.state = 'next')`;
  }

  /** Active domains without an active RSA key (signing creates one on first use; the worker earlier). */
  domainsWithoutKey(limit: number): Promise<{ id: string; name: string }[]> {
    return this.prisma.domain.findMany({
      where: { status: 'active', dkimKeys: { none: { state: 'active', algorithm: 'rsa' } } }, select: { id: true, name: true }, take: limit,
    });
  }

  /** The switch: the old active key of the algorithm retires as the next one takes over. */
  async promote(tx: Tx, key: { id: string; domainId: string; algorithm: DkimAlgorithm }, now: Date): Promise<void> {
    await tx.dkimKey.updateMany({ where: { domainId: key.domainId, algorithm: key.algorithm, state: 'active' }, data: { state: 'retired', retiredAt: now } });
    await tx.dkimKey.update({ where: { id: key.id }, data: { state: 'active', activatedAt: now } });
  }

  findNext(tx: Tx, id: string): Promise<DkimKey | null> {
    return tx.dkimKey.findFirst({ where: { id, state: 'next' } });
  }
}
