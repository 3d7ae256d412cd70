import { Module } from '@nestjs/common';
import { ResellersModule } from '../resellers/resellers.module.js';
import { MailEndpointsModule } from '../settings-lookup/mail-endpoints.module.js';
import { DomainsController } from './domains.controller.js';
import { DomainsRepository } from './domains.repository.js';
import { DomainsService } from './domains.service.js';

@Module({
  imports: [ResellersModule, MailEndpointsModule],
  controllers: [DomainsController],
  providers: [DomainsService, DomainsRepository],
  exports: [DomainsRepository],
})
export class DomainsModule {}
