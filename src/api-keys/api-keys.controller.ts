import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { uuidListQuery } from '../common/pagination.js';
import { idParam } from '../common/schemas.js';
import { ApiKeyCreateDto } from './api-keys.dto.js';
import { ApiKeysService } from './api-keys.service.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@Resource('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: ApiKeyCreateDto }) dto: ApiKeyCreateDto) {
    return this.apiKeys.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: uuidListQuery }) query: { limit: number; cursor?: string }) {
    return this.apiKeys.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.apiKeys.get(caller, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.apiKeys.delete(caller, id);
  }
}
