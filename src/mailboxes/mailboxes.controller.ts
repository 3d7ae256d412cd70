import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { MailboxImportDto } from './mailbox-import.dto.js';
import { MailboxImportService } from './mailbox-import.service.js';
import { MailboxPasswordsService } from './mailbox-passwords.service.js';
import {
  MailboxCreateDto, MailboxListQuery, MailboxUpdateDto, PasswordChangeDto, PasswordSetDto,
} from './mailboxes.dto.js';
import { MailboxesService } from './mailboxes.service.js';

@ApiTags('mailboxes')
@ApiBearerAuth()
@Resource('mailboxes')
@Controller('v1/mailboxes')
export class MailboxesController {
  constructor(
    private readonly mailboxes: MailboxesService,
    private readonly passwords: MailboxPasswordsService,
    private readonly imports: MailboxImportService,
  ) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: MailboxCreateDto }) dto: MailboxCreateDto) {
    return this.mailboxes.create(caller, dto);
  }

  @Post('import')
  @HttpCode(200)
  import(@CurrentCaller() caller: Caller, @Body({ schema: MailboxImportDto }) dto: MailboxImportDto) {
    return this.imports.import(caller, dto.mailboxes);
  }

  @Put(':id/password')
  @HttpCode(204)
  setPassword(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: PasswordSetDto }) dto: PasswordSetDto) {
    return this.passwords.set(caller, id, dto.password);
  }

  @Post(':id/password/change')
  @HttpCode(204)
  changePassword(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: PasswordChangeDto }) dto: PasswordChangeDto) {
    return this.passwords.change(caller, id, dto.currentPassword, dto.newPassword);
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
