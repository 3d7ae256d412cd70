import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/access.decorators.js';
import {
  AutoconfigQuery, AutodiscoverV2Params, AutodiscoverV2Query, MobileconfigQuery,
} from './settings-lookup.dto.js';
import { PublicRateLimited } from './public-rate-limit.guard.js';
import { CONTENT_TYPES } from './settings-lookup.constants.js';
import { SettingsLookupService } from './settings-lookup.service.js';

// The documents mail clients fetch by themselves, without credentials. The paths are fixed by
// the clients; /autodiscover/... is matched in any letter case (client-config.http.ts).
@ApiTags('mail clients')
@Public()
@Controller()
export class ClientConfigController {
  constructor(private readonly lookup: SettingsLookupService) {}

  /** Thunderbird autoconfig; without `emailaddress` the logins are %EMAILADDRESS% placeholders. */
  @Get(['mail/config-v1.1.xml', '.well-known/autoconfig/mail/config-v1.1.xml'])
  @PublicRateLimited('autoconfig')
  @Header('content-type', CONTENT_TYPES.autoconfig)
  autoconfig(@Query({ schema: AutoconfigQuery }) query: AutoconfigQuery, @Req() request: FastifyRequest) {
    return this.lookup.autoconfig(query.emailaddress, request.hostname);
  }

  /** Outlook Autodiscover (POX); a request it cannot read gets the Autodiscover error document (600). */
  @Post('autodiscover/autodiscover.xml')
  @PublicRateLimited('autodiscover')
  @HttpCode(200)
  @Header('content-type', CONTENT_TYPES.autodiscover)
  autodiscover(@Body() body: unknown) {
    return this.lookup.autodiscover(body);
  }

  /** Autodiscover v2: where the POX endpoint is, for `Protocol=AutodiscoverV1` in any letter case. */
  @Get('autodiscover/autodiscover.json')
  @PublicRateLimited('autodiscover')
  autodiscoverV2(@Query({ schema: AutodiscoverV2Query }) query: AutodiscoverV2Query, @Res({ passthrough: true }) reply: FastifyReply) {
    const answer = this.lookup.autodiscoverV2(query.Protocol);
    reply.status(answer.status).type(CONTENT_TYPES.json);
    return answer.body;
  }

  @Get('autodiscover/autodiscover.json/v1.0/:address')
  @PublicRateLimited('autodiscover')
  autodiscoverV2ForAddress(
    @Param({ schema: AutodiscoverV2Params }) _: AutodiscoverV2Params,
    @Query({ schema: AutodiscoverV2Query }) query: AutodiscoverV2Query,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.autodiscoverV2(query, reply);
  }

  /** Apple configuration profile (unsigned) for one address. */
  @Get('mobileconfig')
  @PublicRateLimited('mobileconfig')
  @Header('content-type', CONTENT_TYPES.mobileconfig)
  async mobileconfig(@Query({ schema: MobileconfigQuery }) { email }: MobileconfigQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const profile = await this.lookup.mobileconfig(email);
    // The domain is an A-label: nothing in the file name needs quoting.
    reply.header('content-disposition', `attachment; filename="${email.domain}.mobileconfig"`);
    return profile;
  }

  /** PACC (draft-ietf-mailmaint-pacc) for the domain of `ua-auto-config.<domain>`; its digest is in the domain's DNS records. */
  @Get('.well-known/user-agent-configuration.json')
  @PublicRateLimited('pacc')
  @Header('content-type', CONTENT_TYPES.json)
  pacc(@Req() request: FastifyRequest) {
    return this.lookup.pacc(request.hostname);
  }
}
