import { Module } from '@nestjs/common';
import { ResellersModule } from '../resellers/resellers.module.js';
import { DomainsController } from './domains.controller.js';
import { DomainsRepository } from './domains.repository.js';
import { DomainsService } from './domains.service.js';

@Module({
  imports: [ResellersModule],
  controllers: [DomainsController],
  providers: [DomainsService, DomainsRepository],
  exports: [DomainsRepository],
})
export class DomainsModule {}
