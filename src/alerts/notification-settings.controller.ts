import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { NotificationSettingsDto } from './notification-settings.dto.js';
import { NotificationSettingsService } from './notification-settings.service.js';

@ApiTags('alerts')
@ApiBearerAuth()
@Resource('alerts')
@Controller('v1/notification-settings')
export class NotificationSettingsController {
  constructor(private readonly settings: NotificationSettingsService) {}

  @Get()
  get(@CurrentCaller() caller: Caller) {
    return this.settings.get(caller);
  }

  @Put()
  set(@CurrentCaller() caller: Caller, @Body({ schema: NotificationSettingsDto }) dto: NotificationSettingsDto) {
    return this.settings.set(caller, dto);
  }
}
