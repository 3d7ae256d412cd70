import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PlatformAdminOnly, Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { uuidListQuery } from '../common/pagination.js';
import { idParam } from '../common/schemas.js';
import { ResellerCreateDto, ResellerUpdateDto } from './resellers.dto.js';
import { ResellersService } from './resellers.service.js';

@ApiTags('resellers')
@ApiBearerAuth()
@PlatformAdminOnly()
@Resource('resellers')
@Controller('v1/resellers')
export class ResellersController {
  constructor(private readonly resellers: ResellersService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: ResellerCreateDto }) dto: ResellerCreateDto) {
    return this.resellers.create(caller, dto);
  }

  @Get()
  list(@Query({ schema: uuidListQuery }) query: { limit: number; cursor?: string }) {
    return this.resellers.list(query);
  }

  @Get(':id')
  get(@Param({ schema: idParam }) { id }: { id: string }) {
    return this.resellers.get(id);
  }

  @Patch(':id')
  update(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: ResellerUpdateDto }) dto: ResellerUpdateDto) {
    return this.resellers.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.resellers.delete(caller, id);
  }
}
