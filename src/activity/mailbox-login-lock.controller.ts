import { Body, Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { idParam } from '../common/schemas.js';
import { LoginLockDto } from './activity.dto.js';
import { MailboxLocks } from './mailbox-locks.service.js';

/** A mailbox locked for login (by an administrator here, or by a login rule): Dovecot refuses it. */
@ApiTags('mailboxes')
@ApiBearerAuth()
@Resource('mailboxes')
@Controller('v1/mailboxes/:id/login-lock')
export class MailboxLoginLockController {
  constructor(private readonly locks: MailboxLocks) {}

  @Put()
  lock(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: LoginLockDto }) dto: LoginLockDto) {
    return this.locks.lockByCaller(caller, id, dto.reason);
  }

  @Delete()
  @HttpCode(204)
  unlock(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.locks.unlockByCaller(caller, id);
  }
}
