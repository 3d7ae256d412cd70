import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { DkimModule } from '../dkim/dkim.module.js';
import { DomainAliasesModule } from '../domain-aliases/domain-aliases.module.js';
import { DomainsModule } from '../domains/domains.module.js';
import { MailEndpointsModule } from '../settings-lookup/mail-endpoints.module.js';
import { DkimRotationService } from './dkim-rotation.service.js';
import { DnsCheckService } from './dns-check.service.js';
import { DomainDnsController } from './domain-dns.controller.js';
import { DomainDnsRepository } from './domain-dns.repository.js';
import { DomainVerificationService } from './domain-verification.service.js';
import { MtaStsController } from './mta-sts.controller.js';
import { MtaStsPolicyFetcher } from './mta-sts-policy-fetcher.js';

/** Ownership proof, DNS checks, DKIM rotation and MTA-STS: the API routes and the worker's services. */
@Module({
  imports: [DomainsModule, DomainAliasesModule, DkimModule, MailEndpointsModule, AlertsModule],
  controllers: [DomainDnsController, MtaStsController],
  providers: [DomainVerificationService, DnsCheckService, DkimRotationService, DomainDnsRepository, MtaStsPolicyFetcher],
  exports: [DomainVerificationService, DnsCheckService, DkimRotationService],
})
export class DomainDnsModule {}
