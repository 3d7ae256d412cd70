import { Injectable } from '@nestjs/common';
import { Problem } from '../common/problem.js';
import type { Tx } from '../prisma/prisma.service.js';
import { ResellersRepository } from './resellers.repository.js';

export interface UsageChange {
  domains?: number;
  mailboxes?: number;
  storageBytes?: bigint;
}

// A reseller's limits hold however many requests race: the check runs under a lock on the
// reseller's row, inside the transaction that makes the change.
@Injectable()
export class ResellerLimits {
  constructor(private readonly resellers: ResellersRepository) {}

  async reserve(tx: Tx, resellerId: string | null, change: UsageChange): Promise<void> {
    if (resellerId === null) return;
    const locked = await this.resellers.lockWithUsage(tx, resellerId);
    if (!locked) return;
    const { reseller, usage } = locked;
    const over = (limit: number | bigint | null, used: number | bigint, added = 0 as number | bigint) =>
      limit !== null && added > 0 && BigInt(used) + BigInt(added) > BigInt(limit);
    if (over(reseller.maxDomains, usage.domains, change.domains)) {
      throw Problem.conflict('reseller_limit_reached', `The reseller may have at most ${reseller.maxDomains} domains.`);
    }
    if (over(reseller.maxMailboxes, usage.mailboxes, change.mailboxes)) {
      throw Problem.conflict('reseller_limit_reached', `The reseller may have at most ${reseller.maxMailboxes} mailboxes.`);
    }
    if (over(reseller.maxStorageBytes, usage.storageBytes, change.storageBytes)) {
      throw Problem.conflict('reseller_limit_reached', `The reseller's mailboxes may total at most ${reseller.maxStorageBytes} bytes of quota.`);
    }
  }
}
