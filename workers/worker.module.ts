import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '../src/config/config.js';
import { ConfigModule } from '../src/config/config.module.js';
import { CoreModule } from '../src/core.module.js';
import { maintenanceQueue } from '../src/maintenance/maintenance.queue.js';
import { MaintenanceService } from '../src/maintenance/maintenance.service.js';
import { MailServiceStatusModule } from '../src/monitoring/mail-service-status.module.js';
import { mailServiceStatusQueue } from '../src/monitoring/mail-service-status.queue.js';
import { QueuesModule } from '../src/queues.module.js';
import { MailServiceStatusProcessor } from './mail-service-status.processor.js';
import { MaintenanceProcessor } from './maintenance.processor.js';

// The only place processors are listed: a processor provided anywhere in the API's module tree
// would start consuming jobs inside the API process too.
@Module({
  imports: [CoreModule, QueuesModule, maintenanceQueue, mailServiceStatusQueue, MailServiceStatusModule],
  providers: [MaintenanceService, MaintenanceProcessor, MailServiceStatusProcessor],
})
export class WorkerModule {
  static forRoot(config: Config): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config)] };
  }
}
