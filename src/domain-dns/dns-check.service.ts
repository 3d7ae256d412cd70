import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertsService } from '../alerts/alerts.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import { DkimKeysService } from '../dkim/dkim-keys.service.js';
import { DnsLookupError, DnsResolver } from '../dns/dns-resolver.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { mtaStsPolicyText } from '../domains/mta-sts-policy.js';
import type { Domain } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { MailEndpointsService } from '../settings-lookup/mail-endpoints.service.js';
import { dnsCheckChanges } from '../webhooks/webhook-event-data.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';
import { DomainDnsRepository } from './domain-dns.repository.js';
import { MtaStsPolicyFetcher } from './mta-sts-policy-fetcher.js';
import { inboundMxHosts } from './platform-hosts.js';
import { type CheckContext, type DnsCheckRecord, checkDiscovery, checkDkim, checkDmarc, checkMtaSts, checkMx, checkSpf, checkTlsRpt } from './dns-checks.js';

export interface DnsCheck {
  domainId: string;
  checkedAt: string;
  status: 'ok' | 'problems';
  records: DnsCheckRecord[];
}

const REFRESH_BATCH = 100;
const recordKey = (r: DnsCheckRecord) => `${r.check}:${r.type}:${r.name}`;

/**
 * The live comparison of a domain's DNS with what the platform needs. Results are kept on the
 * domain (dns_check) and served from there while fresh; a record that was ok and no longer is
 * raises an alert for the tenant. A failed lookup fails the whole check (503) rather than
 * reporting records as missing: "could not ask" is not "not published".
 */
@Injectable()
export class DnsCheckService {
  private readonly logger = new Logger(DnsCheckService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly dns: DnsResolver,
    private readonly domains: DomainsRepository,
    private readonly repository: DomainDnsRepository,
    private readonly dkimKeys: DkimKeysService,
    private readonly endpoints: MailEndpointsService,
    private readonly alerts: AlertsService,
    private readonly mtaStsFetcher: MtaStsPolicyFetcher,
    private readonly webhooks: WebhookEvents,
  ) {}

  /**
   * A read, so it writes nothing: the stored check while fresh, else one computed now that is
   * neither stored nor compared for alerts (a read-only key must not raise e-mailed alerts).
   */
  async get(caller: Caller, id: string): Promise<DnsCheck & { cached: boolean }> {
    const domain = await this.find(caller, id);
    const fresh = domain.dnsCheckedAt && Date.now() - domain.dnsCheckedAt.getTime() < this.config.DNS_CHECK_CACHE_SECONDS * 1000;
    if (fresh && domain.dnsCheck) return { ...(domain.dnsCheck as unknown as DnsCheck), cached: true };
    return { ...(await asProblem(this.compute(domain))), cached: false };
  }

  /** POST …/dns-check: asks DNS now, stores the check and raises alerts for records that broke. */
  async refresh(caller: Caller, id: string): Promise<DnsCheck & { cached: boolean }> {
    const domain = await this.find(caller, id);
    return { ...(await asProblem(this.checkAndStore(domain))), cached: false };
  }

  private async find(caller: Caller, id: string): Promise<Domain> {
    const domain = await this.domains.find(Tenant.of(caller), id);
    if (!domain) throw Problem.notFound('domain');
    return domain;
  }

  /** The worker's pass over active domains whose check is older than the cache time. */
  async refreshStale(now = new Date()): Promise<{ checked: number; failed: number }> {
    const stale = await this.repository.staleChecks(new Date(now.getTime() - this.config.DNS_CHECK_CACHE_SECONDS * 1000), REFRESH_BATCH);
    let failed = 0;
    for (const domain of stale) {
      try {
        await this.checkAndStore(domain);
      } catch (error) {
        failed++;
        this.logger.warn({ domain: domain.name, err: (error as Error).message }, 'DNS check failed');
      }
    }
    return { checked: stale.length - failed, failed };
  }

  private async compute(domain: Domain): Promise<DnsCheck> {
    const ctx = await this.context(domain);
    const records = [
      await checkMx(this.dns, ctx), await checkSpf(this.dns, ctx), ...(await checkDkim(this.dns, ctx)), await checkDmarc(this.dns, ctx),
      ...(await checkMtaSts(this.dns, this.mtaStsFetcher, ctx)), await checkTlsRpt(this.dns, ctx), ...(await checkDiscovery(this.dns, ctx)),
    ];
    return { domainId: domain.id, checkedAt: new Date().toISOString(), status: records.every((r) => r.status === 'ok') ? 'ok' : 'problems', records };
  }

  async checkAndStore(domain: Domain): Promise<DnsCheck> {
    const check = await this.compute(domain);
    const { records } = check;
    const checkedAt = new Date(check.checkedAt);
    await this.prisma.$transaction(async (tx) => {
      // Under the row lock, the previous check is the one this check follows: each change alerts once.
      const previous = (await this.repository.lock(tx, domain.id))?.dnsCheck as DnsCheck | null | undefined;
      if (previous === undefined) return;
      await this.repository.saveCheck(tx, domain.id, check as object, checkedAt);
      await this.webhooks.emitMany(tx, dnsCheckChanges(domain, previous?.records ?? null, records));
      const wasOk = new Set((previous?.records ?? []).filter((r) => r.status === 'ok').map(recordKey));
      for (const record of records.filter((r) => r.status !== 'ok' && wasOk.has(recordKey(r)))) {
        await this.alerts.raise({
          resellerId: domain.resellerId, domainId: domain.id, rule: 'dns.record_wrong', severity: 'warning',
          summary: `${record.type} ${record.name} was correct and is now ${record.status}: ${record.hint}`,
          evidence: { record, checkedAt: check.checkedAt, previousCheckedAt: previous?.checkedAt },
          dedupeKey: `dns.record_wrong:${domain.id}:${recordKey(record)}`,
        }, tx);
      }
    });
    return check;
  }

  private async context(domain: Domain): Promise<CheckContext> {
    const outboundHost = this.config.OUTBOUND_HELO_NAME ?? this.config.MAIL_HOSTNAME;
    const [dkim, discovery, senders] = await Promise.all([
      this.dkimKeys.records(domain),
      this.endpoints.discoveryRecords([domain]),
      this.config.MAIL_OUTBOUND_IPS ?? this.dns.addresses(outboundHost),
    ]);
    const { mtaStsMode: mode, mtaStsMaxAge: maxAge, mtaStsPolicyId: policyId } = domain;
    const spfTerm = this.config.MAIL_SPF_INCLUDE ? `include:${this.config.MAIL_SPF_INCLUDE}` : `a:${outboundHost}`;
    const mxHosts = inboundMxHosts(this.config);
    return {
      domain: domain.name,
      mxHosts,
      senders,
      spfExpected: `v=spf1 ${spfTerm} ~all`,
      dkim,
      discovery: discovery.get(domain.id)!,
      mtaSts: mode && maxAge !== null && policyId ? { policyId, webHost: this.endpoints.webHost, policy: mtaStsPolicyText(mode, maxAge, mxHosts) } : null,
    };
  }
}

/** "Could not ask" is not "not published": a failed lookup fails the whole check. */
async function asProblem<T>(check: Promise<T>): Promise<T> {
  try {
    return await check;
  } catch (error) {
    if (error instanceof DnsLookupError) throw new Problem(503, 'dns_lookup_failed', `DNS could not be asked: ${error.message}.`);
    throw error;
  }
}
