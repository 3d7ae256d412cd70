import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PlatformAdminOnly, Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { MailServicesConfigService } from './mail-services-config.service.js';

@ApiTags('mail-services')
@ApiBearerAuth()
@PlatformAdminOnly()
@Resource('mail-services')
@Controller('v1/mail-services')
export class MailServicesConfigController {
  constructor(private readonly mailServices: MailServicesConfigService) {}

  /**
   * Postfix map files and main.cf lines, Dovecot's SQL configuration: they hold the database
   * password and the auth-policy secret, shown redacted unless the key may see secrets.
   */
  @Get('config')
  @Header('cache-control', 'no-store')
  config(@CurrentCaller() caller: Caller) {
    return this.mailServices.config(caller);
  }
}
