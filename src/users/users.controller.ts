import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { uuidListQuery } from '../common/pagination.js';
import { idParam } from '../common/schemas.js';
import { UserCreateDto, UserUpdateDto } from './users.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Resource('users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: UserCreateDto }) dto: UserCreateDto) {
    return this.users.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: uuidListQuery }) query: { limit: number; cursor?: string }) {
    return this.users.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.users.get(caller, id);
  }

  @Patch(':id')
  update(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: UserUpdateDto }) dto: UserUpdateDto) {
    return this.users.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.users.delete(caller, id);
  }

  @Post(':id/password-reset')
  @HttpCode(200)
  resetPassword(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.users.resetPassword(caller, id);
  }
}
