import { Module } from '@nestjs/common';
import { MailServicesConfigController } from './mail-services-config.controller.js';
import { MailServicesConfigService } from './mail-services-config.service.js';

@Module({
  controllers: [MailServicesConfigController],
  providers: [MailServicesConfigService],
})
export class MailServicesModule {}
