import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access.decorators.js';
import { LOOKUP_PAGE } from './lookup-page.js';
import { PublicRateLimited } from './public-rate-limit.guard.js';
import { LookupQuery } from './settings-lookup.dto.js';
import { SettingsLookupService } from './settings-lookup.service.js';

@ApiTags('mail clients')
@Public()
@Controller('lookup')
export class LookupPageController {
  constructor(private readonly lookup: SettingsLookupService) {}

  /** The public settings-lookup web page. */
  @Get()
  @PublicRateLimited('lookup-page')
  page(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.headers(LOOKUP_PAGE.headers);
    return LOOKUP_PAGE.html;
  }

  /** What the page shows: any well-formed address gets an answer of the same shape. Rate-limited per client IP (429). */
  @Get('settings')
  @PublicRateLimited('lookup')
  settings(@Query({ schema: LookupQuery }) { email }: LookupQuery) {
    return this.lookup.lookup(email);
  }
}
