import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { OwnActivity } from '../activity/own-activity.service.js';
import { AppPasswordCreateDto } from '../app-passwords/app-passwords.dto.js';
import { MailboxOwnerRoute, OwnAccount } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { OwnActivityQuery, OwnMailboxUpdateDto } from './owner.dto.js';
import { OwnerService } from './owner.service.js';

/** A person's own things: its logins (staff and mailbox owners), and a mailbox owner's own mailbox. */
@ApiTags('me')
@ApiBearerAuth()
@MailboxOwnerRoute()
@Controller('v1/me')
export class OwnerController {
  constructor(
    private readonly owner: OwnerService,
    private readonly activity: OwnActivity,
  ) {}

  /** Recent logins, newest first: time, protocol, IP, network, result, and whether the monitoring flagged it. */
  @Get('activity')
  ownActivity(@CurrentCaller() caller: Caller, @Query({ schema: OwnActivityQuery }) query: OwnActivityQuery) {
    return this.activity.list(caller, query);
  }

  /** The mailbox's client settings: the same answer as GET /v1/settings?email=<own address>. */
  @Get('settings')
  settings(@CurrentCaller() caller: Caller) {
    return this.owner.settings(caller);
  }

  @Patch()
  @OwnAccount()
  update(@CurrentCaller() caller: Caller, @Body({ schema: OwnMailboxUpdateDto }) dto: OwnMailboxUpdateDto) {
    return this.owner.update(caller, dto);
  }

  @Post('app-passwords')
  @OwnAccount()
  @Idempotent()
  createAppPassword(@CurrentCaller() caller: Caller, @Body({ schema: AppPasswordCreateDto }) dto: AppPasswordCreateDto) {
    return this.owner.createAppPassword(caller, dto);
  }

  @Get('app-passwords')
  listAppPasswords(@CurrentCaller() caller: Caller) {
    return this.owner.listAppPasswords(caller);
  }

  @Delete('app-passwords/:id')
  @OwnAccount()
  @HttpCode(204)
  revokeAppPassword(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.owner.revokeAppPassword(caller, id);
  }
}
