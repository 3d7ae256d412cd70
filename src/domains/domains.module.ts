import { Module } from '@nestjs/common';
import { DkimModule } from '../dkim/dkim.module.js';
import { ResellersModule } from '../resellers/resellers.module.js';
import { MailEndpointsModule } from '../settings-lookup/mail-endpoints.module.js';
import { DomainsController } from './domains.controller.js';
import { DomainOwnership } from './domain-ownership.js';
import { DomainsRepository } from './domains.repository.js';
import { DomainsService } from './domains.service.js';

@Module({
  imports: [ResellersModule, MailEndpointsModule, DkimModule],
  controllers: [DomainsController],
  providers: [DomainsService, DomainsRepository, DomainOwnership],
  exports: [DomainsRepository, DomainsService, DomainOwnership],
})
export class DomainsModule {}
