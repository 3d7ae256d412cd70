import { Module } from '@nestjs/common';
import { AlertsModule } from '../../alerts/alerts.module.js';
import { WebhookDestination } from '../webhook-destination.js';
import { WebhookScheduler } from '../webhook-scheduler.js';
import { WebhookSecrets } from '../webhook-secrets.js';
import { webhookQueue } from '../webhook.queue.js';
import { WebhookDeliveryRepository } from './webhook-delivery.repository.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookOutboxListener } from './webhook-outbox.listener.js';
import { WebhookReconciler } from './webhook-reconciler.js';

/** What the worker's webhook processor uses (the worker module lists the processor itself). */
@Module({
  imports: [webhookQueue, AlertsModule],
  providers: [WebhookDeliveryService, WebhookDeliveryRepository, WebhookDestination, WebhookSecrets, WebhookScheduler, WebhookReconciler, WebhookOutboxListener],
  exports: [WebhookDeliveryService, WebhookReconciler, WebhookScheduler, webhookQueue],
})
export class WebhookDeliveryModule {}
