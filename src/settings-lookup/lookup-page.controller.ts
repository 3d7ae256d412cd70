import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/access.decorators.js';
import { LookupRateLimiter } from './lookup-rate-limiter.js';
import { LOOKUP_PAGE } from './lookup-page.js';
import { LookupQuery } from './settings-lookup.dto.js';
import { SettingsLookupService } from './settings-lookup.service.js';

@ApiTags('mail clients')
@Public()
@Controller('lookup')
export class LookupPageController {
  constructor(
    private readonly lookup: SettingsLookupService,
    private readonly rateLimiter: LookupRateLimiter,
  ) {}

  /** The public settings-lookup web page. */
  @Get()
  page(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.headers(LOOKUP_PAGE.headers);
    return LOOKUP_PAGE.html;
  }

  /** What the page shows: any well-formed address gets an answer of the same shape. Rate-limited per client IP (429). */
  @Get('settings')
  async settings(@Query({ schema: LookupQuery }) { email }: LookupQuery, @Req() request: FastifyRequest) {
    await this.rateLimiter.hit(request.ip);
    return this.lookup.lookup(email);
  }
}
