import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/access.decorators.js';
import { Problem } from '../common/problem.js';
import { CONFIG, type Config } from '../config/config.js';
import { MTA_STS_HOST_LABEL, MTA_STS_POLICY_PATH, mtaStsPolicyText } from '../domains/mta-sts-policy.js';
import { PublicRateLimited } from '../settings-lookup/public-rate-limit.guard.js';
import { DomainDnsRepository } from './domain-dns.repository.js';
import { inboundMxHosts } from './platform-hosts.js';

/**
 * The MTA-STS policy (RFC 8461 §3.3) of every domain that opted in, for senders fetching
 * https://mta-sts.<domain>/.well-known/mta-sts.txt: the host name says which domain's policy.
 */
@ApiExcludeController()
@Public()
@PublicRateLimited('mta-sts')
@Controller()
export class MtaStsController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly domains: DomainDnsRepository,
  ) {}

  @Get(MTA_STS_POLICY_PATH)
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'no-cache')
  async policy(@Req() request: FastifyRequest): Promise<string> {
    const host = (request.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    const prefix = `${MTA_STS_HOST_LABEL}.`;
    const domain = host.startsWith(prefix) ? await this.domains.withMtaSts(host.slice(prefix.length)) : null;
    if (!domain?.mtaStsMode || domain.mtaStsMaxAge === null) throw Problem.notFound('MTA-STS policy');
    const mxHosts = inboundMxHosts(this.config);
    return mtaStsPolicyText(domain.mtaStsMode, domain.mtaStsMaxAge, mxHosts);
  }
}
