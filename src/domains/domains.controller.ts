import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { DomainCreateDto, DomainListQuery, DomainUpdateDto } from './domains.dto.js';
import { DomainsService } from './domains.service.js';

@ApiTags('domains')
@ApiBearerAuth()
@Resource('domains')
@Controller('v1/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: DomainCreateDto }) dto: DomainCreateDto) {
    return this.domains.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: DomainListQuery }) query: DomainListQuery) {
    return this.domains.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.domains.get(caller, id);
  }

  @Patch(':id')
  update(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: DomainUpdateDto }) dto: DomainUpdateDto) {
    return this.domains.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.domains.delete(caller, id);
  }
}
