import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { CONFIG, type Config } from '../config/config.js';
import { DestinationPolicy } from '../net/destination-policy.js';
import { MailEndpointsService } from '../settings-lookup/mail-endpoints.service.js';
import { type MailProtocol, protocolServices } from '../settings-lookup/mail-endpoints.js';
import { MailServiceChecksRepository } from './mail-service-checks.repository.js';
import { type EndpointStatus, type ProbeOptions, type ProbeTarget, notProbed, probeEndpoint } from './mail-service-probe.js';
import { type ProbeRoute, probeRoute } from './probe-route.js';
import { MAX_PARALLEL_PROBES } from './monitoring.constants.js';

export interface MailServiceStatus {
  checkedAt: Date;
  status: EndpointStatus['status'];
  endpoints: EndpointStatus[];
}

/** A target, and whether a tenant (not the operator) chose its host name. */
type Target = ProbeTarget & { ownedByTenant: boolean };

/** Probes what clients are told (the platform's endpoints and the host names of resellers and active domains). */
@Injectable()
export class MailServiceStatusService {
  private readonly options: Omit<ProbeOptions, 'ehloName'>;

  constructor(
    private readonly endpoints: MailEndpointsService,
    private readonly checks: MailServiceChecksRepository,
    private readonly destinations: DestinationPolicy,
    @Inject(CONFIG) config: Config,
  ) {
    // A CA given for the probe comes on top of the public ones, not instead of them.
    const extraCa = config.MAIL_PROBE_CA_FILE ? [...rootCertificates, readFileSync(config.MAIL_PROBE_CA_FILE, 'utf8')] : undefined;
    this.options = { address: config.MAIL_PROBE_ADDRESS, timeoutMs: config.MAIL_PROBE_TIMEOUT_MS, ca: extraCa };
  }

  async probeAndRecord(): Promise<MailServiceStatus> {
    const checkedAt = new Date();
    const targets = await this.targets();
    const routes = new Map<string, Promise<ProbeRoute>>();
    const results = await mapLimited(targets, MAX_PARALLEL_PROBES, async ({ ownedByTenant, ...target }) => {
      // One resolution per host name: its ports are all probed at the same address.
      if (!routes.has(target.host)) routes.set(target.host, probeRoute(target.host, ownedByTenant, this.options.address, this.destinations));
      const route = await routes.get(target.host)!;
      if ('problem' in route) return notProbed(target, route.problem);
      return probeEndpoint(target, { ...this.options, address: route.address, ehloName: this.endpoints.webHost, now: () => checkedAt });
    });
    await this.checks.replaceAll(results, checkedAt);
    const status = results.some((r) => r.status === 'error') ? 'error' : results.some((r) => r.status === 'warning') ? 'warning' : 'ok';
    return { checkedAt, status, endpoints: results };
  }

  private async targets(): Promise<Target[]> {
    const [endpoints, tenantHosts] = await Promise.all([this.endpoints.platform(), this.checks.tenantHostnames()]);
    const hosts = (protocol: MailProtocol) => [
      { host: endpoints[protocol].host, ownedByTenant: false },
      ...tenantHosts[protocol].filter((host) => host !== endpoints[protocol].host).map((host) => ({ host, ownedByTenant: true })),
    ];
    return (['imap', 'pop3', 'smtp'] as const).flatMap((protocol) =>
      protocolServices(endpoints, protocol).flatMap((service) =>
        hosts(protocol).map(({ host, ownedByTenant }) => ({ protocol, encryption: service.encryption, host, port: service.port, ownedByTenant })),
      ),
    );
  }
}

async function mapLimited<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
