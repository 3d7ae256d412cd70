import { Module } from '@nestjs/common';
import { MailEndpointsModule } from '../settings-lookup/mail-endpoints.module.js';
import { MailServiceChecksRepository } from './mail-service-checks.repository.js';
import { MailServiceStatusService } from './mail-service-status.service.js';

/** The live probe, shared by GET /v1/mail-services/status (API) and the scheduled job (worker). */
@Module({
  imports: [MailEndpointsModule],
  providers: [MailServiceStatusService, MailServiceChecksRepository],
  exports: [MailServiceStatusService],
})
export class MailServiceStatusModule {}
