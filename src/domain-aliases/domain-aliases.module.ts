import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { DomainAliasVerificationService } from './domain-alias-verification.service.js';
import { DomainAliasesController } from './domain-aliases.controller.js';
import { DomainAliasesRepository } from './domain-aliases.repository.js';
import { DomainAliasesService } from './domain-aliases.service.js';

@Module({
  imports: [DomainsModule],
  controllers: [DomainAliasesController],
  providers: [DomainAliasesService, DomainAliasesRepository, DomainAliasVerificationService],
  exports: [DomainAliasVerificationService],
})
export class DomainAliasesModule {}
