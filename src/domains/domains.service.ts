import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { createClaimed } from '../common/name-claims.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import { type Domain, Prisma } from '../generated/prisma/client.js';
import { assertWithinCaps, platformCaps, storedLimits } from '../outbound/send-limits.js';
import { DkimKeysService } from '../dkim/dkim-keys.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ResellerLimits } from '../resellers/reseller-limits.service.js';
import { ResellersRepository } from '../resellers/resellers.repository.js';
import { resolveOwner } from '../resellers/resolve-owner.js';
import { hostnameColumns } from '../settings-lookup/hostname-overrides.js';
import { MailEndpointsService } from '../settings-lookup/mail-endpoints.service.js';
import { type DomainCreateDto, type DomainListQuery, type DomainUpdateDto, domainView } from './domains.dto.js';
import { DomainsRepository } from './domains.repository.js';
import { DomainOwnership } from './domain-ownership.js';
import { mtaStsColumns } from './mta-sts-policy.js';

@Injectable()
export class DomainsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly domains: DomainsRepository,
    private readonly resellers: ResellersRepository,
    private readonly limits: ResellerLimits,
    private readonly audit: AuditService,
    private readonly endpoints: MailEndpointsService,
    private readonly ownership: DomainOwnership,
    private readonly dkimKeys: DkimKeysService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async create(caller: Caller, dto: DomainCreateDto) {
    const resellerId = await resolveOwner(caller, dto.resellerId, this.resellers);
    const ownership = await this.ownership.start(resellerId, dto.name, 'name');
    const created = await this.prisma.$transaction(async (tx) => {
      if (ownership.takeOver) await this.ownership.release(tx, caller, ownership.takeOver);
      await this.limits.reserve(tx, resellerId, { domains: 1 });
      const domain = await createClaimed(tx, dto.name, 'domainId', 'name', () =>
        this.domains.create(tx, {
          name: dto.name, resellerId, description: dto.description ?? null, verificationToken: ownership.token,
          ...(ownership.verified && { status: 'active' as const, verifiedAt: new Date() }),
        }),
      );
      await this.audit.record(tx, caller, { action: 'domain.create', resellerId, target: domain, after: domainView(domain) });
      return domain;
    });
    // A proven domain signs mail from now on; its key is made now, off the usual (pending) path.
    if (created.verifiedAt) await this.dkimKeys.ensureFirstKey(created.id);
    return this.view(created);
  }

  async get(caller: Caller, id: string) {
    const domain = await this.domains.find(Tenant.of(caller), id);
    if (!domain) throw Problem.notFound('domain');
    return this.view(domain);
  }

  async list(caller: Caller, query: DomainListQuery) {
    const page = await this.domains.list(Tenant.of(caller), query);
    const [records, dkim] = await Promise.all([this.endpoints.discoveryRecords(page.items), this.dkimKeys.recordsOf(page.items)]);
    const webHost = this.endpoints.webHost;
    return mapPage(page, (domain) => domainView(domain, { discoveryRecords: records.get(domain.id)!, dkim: dkim.get(domain.id)!, webHost }));
  }

  async update(caller: Caller, id: string, dto: DomainUpdateDto) {
    const updated = await this.prisma.$transaction(async (tx) => {
      const domain = await this.domains.find(Tenant.of(caller), id, tx);
      if (!domain) throw Problem.notFound('domain');
      // Activation is what ownership proof unlocks; only the platform may skip the proof.
      const activatesUnverified = dto.status === 'active' && domain.status !== 'active' && !domain.verifiedAt;
      if (activatesUnverified && caller.resellerId !== null) {
        throw Problem.forbidden('domain_not_verified', 'Publish the verification record and verify the domain first.');
      }
      const sendLimits = dto.sendLimits === undefined ? undefined : storedLimits(dto.sendLimits);
      if (sendLimits) assertWithinCaps(sendLimits, platformCaps(this.config));
      const updated = await this.domains.update(tx, id, {
        ...(dto.description !== undefined && { description: dto.description }),
        ...(dto.status && { status: dto.status }),
        ...(activatesUnverified && { verifiedAt: new Date() }),
        ...hostnameColumns(dto.mailHostnames),
        ...(sendLimits !== undefined && { sendLimits: sendLimits ?? Prisma.DbNull }),
        ...(dto.catchAllSenders !== undefined && { catchAllSenders: dto.catchAllSenders }),
        ...mtaStsColumns(dto.mtaSts, domain),
      });
      const action = activatesUnverified ? 'domain.activate_unverified' : 'domain.update';
      await this.audit.record(tx, caller, {
        action, resellerId: domain.resellerId, target: domain, before: domainView(domain), after: domainView(updated),
      });
      return updated;
    });
    if (updated.status === 'active') await this.dkimKeys.ensureFirstKey(updated.id);
    return this.view(updated);
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const domain = await this.domains.find(Tenant.of(caller), id, tx);
      if (!domain) throw Problem.notFound('domain');
      const contents = await this.domains.contents(tx, id);
      if (contents.mailboxes + contents.aliases > 0) {
        throw Problem.conflict('domain_not_empty', `The domain still has ${contents.mailboxes} mailboxes and ${contents.aliases} aliases.`);
      }
      await this.domains.delete(tx, id);
      await this.audit.record(tx, caller, { action: 'domain.delete', resellerId: domain.resellerId, target: domain, before: domainView(domain) });
    });
  }

  /** The API representation: the stored domain and the DNS records it publishes (mail clients, DKIM, MTA-STS). */
  async view(domain: Domain) {
    const [records, dkim] = await Promise.all([this.endpoints.discoveryRecords([domain]), this.dkimKeys.records(domain)]);
    return domainView(domain, { discoveryRecords: records.get(domain.id)!, dkim, webHost: this.endpoints.webHost });
  }
}
