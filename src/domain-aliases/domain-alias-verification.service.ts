import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import { DomainOwnership } from '../domains/domain-ownership.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { domainAliasView } from './domain-aliases.dto.js';
import { type DomainAliasRow, DomainAliasesRepository } from './domain-aliases.repository.js';

const WORKER = { system: 'worker' } as const;
const HOUR_MS = 3_600_000;
const PENDING_BATCH = 500;

/** A domain alias's ownership proof, as a domain's (DomainVerificationService): on request, or by the worker's sweep. */
@Injectable()
export class DomainAliasVerificationService {
  private readonly logger = new Logger(DomainAliasVerificationService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly domainAliases: DomainAliasesRepository,
    private readonly ownership: DomainOwnership,
    private readonly audit: AuditService,
  ) {}

  /** POST /v1/domain-aliases/{id}/verify: 200 with the alias once the record is found, 422 while it is not. */
  async verify(caller: Caller, id: string) {
    const alias = await this.domainAliases.find(Tenant.of(caller), id);
    if (!alias) throw Problem.notFound('domain alias');
    if (alias.verifiedAt) return domainAliasView(alias);
    await this.ownership.assertPublished(alias.name, alias.verificationToken);
    return domainAliasView((await this.markVerified(alias, caller)) ?? alias);
  }

  /** The worker's pass: activates pending aliases whose record is now published, deletes expired ones. */
  async recheckPending(now = new Date()): Promise<{ verified: number; expired: number }> {
    const expiredBefore = new Date(now.getTime() - this.config.DOMAIN_VERIFICATION_EXPIRY_HOURS * HOUR_MS);
    let verified = 0;
    let expired = 0;
    for (const alias of await this.domainAliases.pending(PENDING_BATCH)) {
      if (alias.pendingSince < expiredBefore) {
        if (await this.expire(alias)) expired++;
        continue;
      }
      try {
        if ((await this.ownership.isPublished(alias.name, alias.verificationToken)).published && (await this.markVerified(alias, WORKER))) verified++;
      } catch (error) {
        // One alias's DNS trouble must not stop the others' checks; the next pass retries it.
        this.logger.warn({ domainAlias: alias.name, err: (error as Error).message }, 'verification lookup failed');
      }
    }
    return { verified, expired };
  }

  /** Null when someone else verified, activated or deleted it meanwhile. */
  private markVerified(alias: DomainAliasRow, actor: Caller | typeof WORKER): Promise<DomainAliasRow | null> {
    return this.prisma.$transaction(async (tx) => {
      const after = await this.domainAliases.markVerified(tx, alias.id);
      if (!after) return null;
      await this.audit.record(tx, actor, {
        action: 'domain_alias.verify', resellerId: alias.targetDomain.resellerId, target: alias, before: domainAliasView(alias), after: domainAliasView(after),
      });
      return after;
    });
  }

  /** An unverified alias past its time is deleted (with its name claim), so its name is free again. */
  private expire(alias: DomainAliasRow): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await this.domainAliases.deleteUnverified(tx, alias.id))) return false;
      await this.audit.record(tx, WORKER, { action: 'domain_alias.expire', resellerId: alias.targetDomain.resellerId, target: alias, before: domainAliasView(alias) });
      return true;
    });
  }
}
