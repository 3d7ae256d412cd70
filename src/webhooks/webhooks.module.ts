import { Module } from '@nestjs/common';
import { WebhookDestination } from './webhook-destination.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** The /v1/webhooks routes (API process). */
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookDestination, WebhookSecrets],
})
export class WebhooksModule {}
