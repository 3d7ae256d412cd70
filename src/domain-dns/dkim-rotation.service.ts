import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import type { DkimAlgorithm } from '../dkim/dkim-key-pair.js';
import { dkimRecordKey } from '../dkim/dkim-record.js';
import { DkimKeysRepository } from '../dkim/dkim-keys.repository.js';
import { DkimKeysService } from '../dkim/dkim-keys.service.js';
import { DnsResolver } from '../dns/dns-resolver.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { PrismaService } from '../prisma/prisma.service.js';

const WORKER = { system: 'worker' } as const;
const DAY_MS = 86_400_000;
const MISSING_KEYS_BATCH = 100;

/**
 * DKIM rotation without access to the customer's DNS: a next key is created and shown; signing
 * moves to it only once its record is seen in live DNS (until then mail keeps verifying with the
 * old key); the old key is retired and its record reported safe to remove after a grace period.
 */
@Injectable()
export class DkimRotationService {
  private readonly logger = new Logger(DkimRotationService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly domains: DomainsRepository,
    private readonly keys: DkimKeysRepository,
    private readonly dkimKeys: DkimKeysService,
    private readonly dns: DnsResolver,
    private readonly audit: AuditService,
  ) {}

  /** POST /v1/domains/{id}/dkim/rotate: the next key's record, to publish. */
  async rotate(caller: Caller, id: string, algorithm: DkimAlgorithm) {
    const domain = await this.domains.find(Tenant.of(caller), id);
    if (!domain) throw Problem.notFound('domain');
    if (domain.status !== 'active') throw Problem.conflict('domain_not_active', 'Only an active domain signs mail; verify or enable it first.');
    await this.dkimKeys.ensureFirstKey(domain.id);
    const key = await this.dkimKeys.createNextKey(domain.id, algorithm);
    if (!key) throw Problem.conflict('dkim_rotation_pending', `The domain already has a next ${algorithm} key waiting for its DNS record.`);
    const [record] = this.dkimKeys.recordViews(domain.name, [key]);
    await this.prisma.$transaction((tx) =>
      this.audit.record(tx, caller, { action: 'domain.dkim_rotate', resellerId: domain.resellerId, target: domain, after: record }));
    return record;
  }

  /** The worker's pass: switches every next key whose record is published, then starts due rotations. */
  async advance(now = new Date()): Promise<{ activated: number; started: number; created: number }> {
    let activated = 0;
    for (const key of await this.keys.allNext()) {
      const name = `${key.selector}._domainkey.${key.domain.name}`;
      try {
        const published = (await this.dns.txt(name)).map(dkimRecordKey).some((r) => r?.publicKey === key.publicKey && r.algorithm === key.algorithm);
        if (published && (await this.activate(key, now))) activated++;
      } catch (error) {
        this.logger.warn({ record: name, err: (error as Error).message }, 'DKIM record lookup failed');
      }
    }
    let started = 0;
    if (this.config.DKIM_ROTATION_DAYS > 0) {
      for (const key of await this.keys.dueForRotation(new Date(now.getTime() - this.config.DKIM_ROTATION_DAYS * DAY_MS))) {
        if (await this.dkimKeys.createNextKey(key.domainId, key.algorithm)) started++;
      }
    }
    let created = 0;
    for (const domain of await this.keys.domainsWithoutKey(MISSING_KEYS_BATCH)) {
      await this.dkimKeys.ensureFirstKey(domain.id);
      created++;
    }
    return { activated, started, created };
  }

  private activate(key: Awaited<ReturnType<DkimKeysRepository['allNext']>>[number], now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      await this.keys.lockDomain(tx, key.domainId);
      if (!(await this.keys.findNext(tx, key.id))) return false;
      await this.keys.promote(tx, key, now);
      await this.audit.record(tx, WORKER, {
        action: 'domain.dkim_activate', resellerId: key.domain.resellerId, target: { id: key.domainId },
        after: { selector: key.selector, algorithm: key.algorithm },
      });
      return true;
    });
  }
}
