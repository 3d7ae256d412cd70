import { Global, Module } from '@nestjs/common';
import { DeliveryScheduler } from '../outbound/delivery-scheduler.js';
import { outboundQueue } from '../outbound/outbound.queue.js';
import { AlertNotificationsRepository } from './alert-notifications.repository.js';
import { AlertNotifier } from './alert-notifier.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';
import { NotificationSettingsController } from './notification-settings.controller.js';
import { NotificationSettingsService } from './notification-settings.service.js';

/**
 * Global: detectors in any feature (login monitoring, outgoing mail, DNS checks) raise alerts.
 * Imported by the API module (which serves the routes) and by the worker module. New alerts are
 * e-mailed through the outgoing queue (AlertNotifier).
 */
@Global()
@Module({
  imports: [outboundQueue],
  controllers: [AlertsController, NotificationSettingsController],
  providers: [AlertsService, AlertsRepository, AlertNotifier, AlertNotificationsRepository, DeliveryScheduler, NotificationSettingsService],
  exports: [AlertsService],
})
export class AlertsModule {}
