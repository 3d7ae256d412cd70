import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { AppPasswordCreateDto, appPasswordParams } from './app-passwords.dto.js';
import { AppPasswordsService } from './app-passwords.service.js';

@ApiTags('mailboxes')
@ApiBearerAuth()
@Resource('mailboxes')
@Controller('v1/mailboxes/:id/app-passwords')
export class AppPasswordsController {
  constructor(private readonly appPasswords: AppPasswordsService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: AppPasswordCreateDto }) dto: AppPasswordCreateDto) {
    return this.appPasswords.create(caller, id, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.appPasswords.list(caller, id);
  }

  @Delete(':appPasswordId')
  @HttpCode(204)
  revoke(@CurrentCaller() caller: Caller, @Param({ schema: appPasswordParams }) params: { id: string; appPasswordId: string }) {
    return this.appPasswords.revoke(caller, params.id, params.appPasswordId);
  }
}
