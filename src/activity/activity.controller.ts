import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { ActivityQuery, LoginEventDto } from './activity.dto.js';
import { ActivityService } from './activity.service.js';

@ApiTags('activity')
@ApiBearerAuth()
@Resource('activity')
@Controller('v1')
export class ActivityController {
  constructor(private readonly activity: ActivityService) {}

  @Get('activity')
  forMailbox(@CurrentCaller() caller: Caller, @Query({ schema: ActivityQuery }) query: ActivityQuery) {
    return this.activity.forMailbox(caller, query);
  }

  @Post('events')
  @HttpCode(202)
  record(@CurrentCaller() caller: Caller, @Body({ schema: LoginEventDto }) dto: LoginEventDto) {
    return this.activity.record(caller, dto);
  }
}
