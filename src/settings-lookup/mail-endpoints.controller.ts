import { Body, Controller, Get, Header, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PlatformAdminOnly, Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { MailServiceStatusService } from '../monitoring/mail-service-status.service.js';
import { MailEndpointsPutDto } from './mail-endpoints.dto.js';
import { MailEndpointsService } from './mail-endpoints.service.js';

@ApiTags('mail-services')
@ApiBearerAuth()
@PlatformAdminOnly()
@Resource('mail-services')
@Controller('v1/mail-services')
export class MailEndpointsController {
  constructor(
    private readonly endpoints: MailEndpointsService,
    private readonly status: MailServiceStatusService,
  ) {}

  /** The advertised IMAP, POP3 and SMTP submission endpoints; `updatedAt` null while MAIL_HOSTNAME's defaults apply. */
  @Get('endpoints')
  get() {
    return this.endpoints.view();
  }

  /** Replaces the advertised endpoints; every settings format follows at once. */
  @Put('endpoints')
  replace(@CurrentCaller() caller: Caller, @Body({ schema: MailEndpointsPutDto }) dto: MailEndpointsPutDto) {
    return this.endpoints.replace(caller, dto);
  }

  /** Probes every advertised endpoint now (reachability, TLS as advertised, certificate, greeting). */
  @Get('status')
  @Header('cache-control', 'no-store')
  probe() {
    return this.status.probeAndRecord();
  }
}
