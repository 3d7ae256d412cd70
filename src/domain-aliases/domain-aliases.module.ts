import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { DomainAliasesController } from './domain-aliases.controller.js';
import { DomainAliasesRepository } from './domain-aliases.repository.js';
import { DomainAliasesService } from './domain-aliases.service.js';

@Module({
  imports: [DomainsModule],
  controllers: [DomainAliasesController],
  providers: [DomainAliasesService, DomainAliasesRepository],
})
export class DomainAliasesModule {}
