import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { AliasCreateDto, AliasListQuery, AliasUpdateDto } from './aliases.dto.js';
import { AliasesService } from './aliases.service.js';

@ApiTags('aliases')
@ApiBearerAuth()
@Resource('aliases')
@Controller('v1/aliases')
export class AliasesController {
  constructor(private readonly aliases: AliasesService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: AliasCreateDto }) dto: AliasCreateDto) {
    return this.aliases.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: AliasListQuery }) query: AliasListQuery) {
    return this.aliases.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.aliases.get(caller, id);
  }

  @Patch(':id')
  update(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: AliasUpdateDto }) dto: AliasUpdateDto) {
    return this.aliases.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.aliases.delete(caller, id);
  }
}
