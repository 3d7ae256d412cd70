import { Module } from '@nestjs/common';
import { DkimModule } from '../../dkim/dkim.module.js';
import { DeliveryScheduler } from '../delivery-scheduler.js';
import { outboundQueue } from '../outbound.queue.js';
import { DeliveryRepository } from './delivery.repository.js';
import { DeliveryService } from './delivery.service.js';
import { DomainDelivery } from './domain-delivery.js';
import { MessageSigner } from './message-signer.js';
import { MxRouter } from './mx-route.js';
import { OutboundReconciler } from './reconciler.js';
import { SmtpTransports } from './smtp-transports.js';

/** The delivery worker's services. Imported by the worker module only: it holds SMTP pools. */
@Module({
  imports: [outboundQueue, DkimModule],
  providers: [DeliveryService, DeliveryRepository, DomainDelivery, MessageSigner, MxRouter, SmtpTransports, OutboundReconciler, DeliveryScheduler],
  exports: [DeliveryService, OutboundReconciler, DeliveryScheduler],
})
export class DeliveryModule {}
