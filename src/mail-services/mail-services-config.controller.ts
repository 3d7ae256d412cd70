import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PlatformAdminOnly, Resource } from '../auth/access.decorators.js';
import { MailServicesConfigService } from './mail-services-config.service.js';

@ApiTags('mail-services')
@ApiBearerAuth()
@PlatformAdminOnly()
@Resource('mail-services')
@Controller('v1/mail-services')
export class MailServicesConfigController {
  constructor(private readonly mailServices: MailServicesConfigService) {}

  /** Postfix map files and main.cf lines, Dovecot's SQL configuration: they hold the database password. */
  @Get('config')
  @Header('cache-control', 'no-store')
  config() {
    return this.mailServices.config();
  }
}
