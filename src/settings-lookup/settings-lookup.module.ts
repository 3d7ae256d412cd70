import { Module } from '@nestjs/common';
import { MailServiceStatusModule } from '../monitoring/mail-service-status.module.js';
import { ClientConfigController } from './client-config.controller.js';
import { LookupPageController } from './lookup-page.controller.js';
import { MailEndpointsController } from './mail-endpoints.controller.js';
import { MailEndpointsModule } from './mail-endpoints.module.js';
import { SettingsController } from './settings.controller.js';
import { SettingsLookupService } from './settings-lookup.service.js';

@Module({
  imports: [MailEndpointsModule, MailServiceStatusModule],
  controllers: [MailEndpointsController, SettingsController, ClientConfigController, LookupPageController],
  providers: [SettingsLookupService],
  exports: [SettingsLookupService],
})
export class SettingsLookupModule {}
