import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { SettingsQuery } from './settings-lookup.dto.js';
import { SettingsLookupService } from './settings-lookup.service.js';

// Reading a mailbox's client settings is part of managing mailboxes: a `mailboxes:read` key may.
@ApiTags('settings')
@ApiBearerAuth()
@Resource('mailboxes')
@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly lookup: SettingsLookupService) {}

  /** Incoming and outgoing servers for an address in one of the caller's domains, implicit TLS first. */
  @Get()
  settings(@CurrentCaller() caller: Caller, @Query({ schema: SettingsQuery }) query: SettingsQuery) {
    return this.lookup.settings(caller, query.email);
  }
}
