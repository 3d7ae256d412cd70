import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { AliasesController } from './aliases.controller.js';
import { AliasesRepository } from './aliases.repository.js';
import { AliasesService } from './aliases.service.js';

@Module({
  imports: [DomainsModule],
  controllers: [AliasesController],
  providers: [AliasesService, AliasesRepository],
})
export class AliasesModule {}
