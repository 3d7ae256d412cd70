import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { DomainAliasCreateDto, DomainAliasListQuery } from './domain-aliases.dto.js';
import { DomainAliasesService } from './domain-aliases.service.js';

@ApiTags('domain-aliases')
@ApiBearerAuth()
@Resource('domain-aliases')
@Controller('v1/domain-aliases')
export class DomainAliasesController {
  constructor(private readonly domainAliases: DomainAliasesService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: DomainAliasCreateDto }) dto: DomainAliasCreateDto) {
    return this.domainAliases.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: DomainAliasListQuery }) query: DomainAliasListQuery) {
    return this.domainAliases.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.domainAliases.get(caller, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.domainAliases.delete(caller, id);
  }
}
