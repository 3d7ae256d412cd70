import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { CONFIG, type Config } from '../config/config.js';
import { MailEndpointsService } from '../settings-lookup/mail-endpoints.service.js';
import { protocolServices } from '../settings-lookup/mail-endpoints.js';
import { MailServiceChecksRepository } from './mail-service-checks.repository.js';
import { type EndpointStatus, type ProbeOptions, type ProbeTarget, probeEndpoint } from './mail-service-probe.js';
import { MAX_PARALLEL_PROBES } from './monitoring.constants.js';

export interface MailServiceStatus {
  checkedAt: Date;
  status: EndpointStatus['status'];
  endpoints: EndpointStatus[];
}

/** Probes what clients are told (the platform's endpoints and every host name override). */
@Injectable()
export class MailServiceStatusService {
  private readonly options: Omit<ProbeOptions, 'ehloName'>;

  constructor(
    private readonly endpoints: MailEndpointsService,
    private readonly checks: MailServiceChecksRepository,
    @Inject(CONFIG) config: Config,
  ) {
    // A CA given for the probe comes on top of the public ones, not instead of them.
    const extraCa = config.MAIL_PROBE_CA_FILE ? [...rootCertificates, readFileSync(config.MAIL_PROBE_CA_FILE, 'utf8')] : undefined;
    this.options = { address: config.MAIL_PROBE_ADDRESS, timeoutMs: config.MAIL_PROBE_TIMEOUT_MS, ca: extraCa };
  }

  async probeAndRecord(): Promise<MailServiceStatus> {
    const checkedAt = new Date();
    const targets = await this.targets();
    const results = await mapLimited(targets, MAX_PARALLEL_PROBES, (target) =>
      probeEndpoint(target, { ...this.options, ehloName: this.endpoints.webHost, now: () => checkedAt }),
    );
    await this.checks.replaceAll(results, checkedAt);
    const status = results.some((r) => r.status === 'error') ? 'error' : results.some((r) => r.status === 'warning') ? 'warning' : 'ok';
    return { checkedAt, status, endpoints: results };
  }

  private async targets(): Promise<ProbeTarget[]> {
    const { endpoints, hosts } = await this.endpoints.advertisedHosts();
    return (['imap', 'pop3', 'smtp'] as const).flatMap((protocol) =>
      protocolServices(endpoints, protocol).flatMap((service) =>
        hosts[protocol].map((host) => ({ protocol, encryption: service.encryption, host, port: service.port })),
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
