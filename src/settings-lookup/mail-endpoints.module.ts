import { Module } from '@nestjs/common';
import { MailEndpointsRepository } from './mail-endpoints.repository.js';
import { MailEndpointsService } from './mail-endpoints.service.js';

/** The endpoints model alone: for the settings formats, the domain representations, the probe. */
@Module({
  providers: [MailEndpointsService, MailEndpointsRepository],
  exports: [MailEndpointsService],
})
export class MailEndpointsModule {}
