import { type DynamicModule, Module } from '@nestjs/common';
import type { Config } from '../src/config/config.js';
import { SendingMonitorModule } from '../src/activity/sending-monitor.module.js';
import { sendingMonitorQueue } from '../src/activity/sending-monitor.queue.js';
import { ConfigModule } from '../src/config/config.module.js';
import { CoreModule } from '../src/core.module.js';
import { DomainDnsModule } from '../src/domain-dns/domain-dns.module.js';
import { domainDnsQueue } from '../src/domain-dns/domain-dns.queue.js';
import { maintenanceQueue } from '../src/maintenance/maintenance.queue.js';
import { MaintenanceRepository } from '../src/maintenance/maintenance.repository.js';
import { MaintenanceService } from '../src/maintenance/maintenance.service.js';
import { MailServiceStatusModule } from '../src/monitoring/mail-service-status.module.js';
import { mailServiceStatusQueue } from '../src/monitoring/mail-service-status.queue.js';
import { DeliveryModule } from '../src/outbound/delivery/delivery.module.js';
import { outboundQueue } from '../src/outbound/outbound.queue.js';
import { QueuesModule } from '../src/queues.module.js';
import { WebhookDeliveryModule } from '../src/webhooks/delivery/webhook-delivery.module.js';
import { MailServiceStatusProcessor } from './mail-service-status.processor.js';
import { DomainDnsProcessor } from './domain-dns.processor.js';
import { MaintenanceProcessor } from './maintenance.processor.js';
import { OutboundProcessor } from './outbound.processor.js';
import { SendingMonitorProcessor } from './sending-monitor.processor.js';
import { WebhooksProcessor } from './webhooks.processor.js';

// The only place processors are listed: a processor provided anywhere in the API's module tree
// would start consuming jobs inside the API process too.
@Module({
  imports: [
    CoreModule, QueuesModule, maintenanceQueue, mailServiceStatusQueue, MailServiceStatusModule, outboundQueue, DeliveryModule,
    domainDnsQueue, DomainDnsModule, sendingMonitorQueue, SendingMonitorModule, WebhookDeliveryModule,
  ],
  providers: [MaintenanceService, MaintenanceRepository, MaintenanceProcessor, MailServiceStatusProcessor, OutboundProcessor, DomainDnsProcessor, SendingMonitorProcessor, WebhooksProcessor],
})
export class WorkerModule {
  static forRoot(config: Config): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config)] };
  }
}
