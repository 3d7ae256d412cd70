import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { MailboxCreateDto, MailboxListQuery, MailboxUpdateDto } from './mailboxes.dto.js';
import { MailboxesService } from './mailboxes.service.js';

@ApiTags('mailboxes')
@ApiBearerAuth()
@Resource('mailboxes')
@Controller('v1/mailboxes')
export class MailboxesController {
  constructor(private readonly mailboxes: MailboxesService) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: MailboxCreateDto }) dto: MailboxCreateDto) {
    return this.mailboxes.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: MailboxListQuery }) query: MailboxListQuery) {
    return this.mailboxes.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.mailboxes.get(caller, id);
  }

  @Patch(':id')
  update(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: MailboxUpdateDto }) dto: MailboxUpdateDto) {
    return this.mailboxes.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.mailboxes.delete(caller, id);
  }
}
