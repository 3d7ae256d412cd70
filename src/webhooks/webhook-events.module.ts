import { Global, Module } from '@nestjs/common';
import { WebhookEvents } from './webhook-events.service.js';

/** Global: every service that owns a change emits its event in the change's transaction. */
@Global()
@Module({ providers: [WebhookEvents], exports: [WebhookEvents] })
export class WebhookEventsModule {}
