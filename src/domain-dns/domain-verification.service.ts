import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import { DkimKeysService } from '../dkim/dkim-keys.service.js';
import { DomainAliasVerificationService } from '../domain-aliases/domain-alias-verification.service.js';
import { DomainOwnership } from '../domains/domain-ownership.js';
import { domainView } from '../domains/domains.dto.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { DomainsService } from '../domains/domains.service.js';
import type { Domain } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';
import { DomainDnsRepository } from './domain-dns.repository.js';

const WORKER = { system: 'worker' } as const;
const HOUR_MS = 3_600_000;
const PENDING_BATCH = 500;

/** Turns a published verification record into an active domain: on request, or by the worker. */
@Injectable()
export class DomainVerificationService {
  private readonly logger = new Logger(DomainVerificationService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly domains: DomainsRepository,
    private readonly repository: DomainDnsRepository,
    private readonly domainsService: DomainsService,
    private readonly ownership: DomainOwnership,
    private readonly dkimKeys: DkimKeysService,
    private readonly audit: AuditService,
    private readonly aliasVerification: DomainAliasVerificationService,
    private readonly webhooks: WebhookEvents,
  ) {}

  /** POST /v1/domains/{id}/verify: 200 with the domain once the record is found, 422 while it is not. */
  async verify(caller: Caller, id: string) {
    const domain = await this.domains.find(Tenant.of(caller), id);
    if (!domain) throw Problem.notFound('domain');
    if (domain.verifiedAt) return this.domainsService.view(domain);
    await this.ownership.assertPublished(domain.name, domain.verificationToken);
    const verified = await this.markVerified(domain, caller);
    return this.domainsService.view(verified ?? domain);
  }

  /**
   * The worker's pass: activates pending domains and domain aliases whose record is now published,
   * deletes expired ones (domains first: an expired domain takes its aliases with it).
   */
  async recheckPending(now = new Date()): Promise<{ verified: number; expired: number; aliases: { verified: number; expired: number } }> {
    const domains = await this.recheckPendingDomains(now);
    return { ...domains, aliases: await this.aliasVerification.recheckPending(now) };
  }

  private async recheckPendingDomains(now: Date): Promise<{ verified: number; expired: number }> {
    const expiredBefore = new Date(now.getTime() - this.config.DOMAIN_VERIFICATION_EXPIRY_HOURS * HOUR_MS);
    let verified = 0;
    let expired = 0;
    const pending = await this.repository.pending(PENDING_BATCH);
    for (const domain of pending) {
      if (domain.createdAt < expiredBefore) {
        if (await this.expire(domain)) expired++;
        continue;
      }
      try {
        if ((await this.ownership.isPublished(domain.name, domain.verificationToken)).published && (await this.markVerified(domain, WORKER))) verified++;
      } catch (error) {
        // One domain's DNS trouble must not stop the others' checks; the next pass retries it.
        this.logger.warn({ domain: domain.name, err: (error as Error).message }, 'verification lookup failed');
      }
    }
    return { verified, expired };
  }

  /** Null when someone else verified, activated or deleted it meanwhile. */
  private async markVerified(domain: Domain, actor: Caller | typeof WORKER): Promise<Domain | null> {
    const updated = await this.prisma.$transaction(async (tx) => {
      const after = await this.repository.markVerified(tx, domain);
      if (!after) return null;
      await this.audit.record(tx, actor, { action: 'domain.verify', resellerId: domain.resellerId, target: domain, before: domainView(domain), after: domainView(after) });
      await this.webhooks.emit(tx, domain.resellerId, 'domain.verified', { domain: { id: after.id, name: after.name, verifiedAt: after.verifiedAt } });
      return after;
    });
    if (updated?.status === 'active') await this.dkimKeys.ensureFirstKey(updated.id);
    return updated;
  }

  /** An unverified domain past its time is deleted with what it holds, so its name is free again. */
  private async expire(domain: Domain): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      if (!(await this.repository.deleteUnverified(tx, domain.id))) return false;
      await this.audit.record(tx, WORKER, { action: 'domain.expire', resellerId: domain.resellerId, target: domain, before: domainView(domain) });
      return true;
    });
  }
}
