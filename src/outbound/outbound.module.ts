import { Module } from '@nestjs/common';
import { SendingCheckTriggerModule } from '../activity/sending-check.trigger.js';
import { QueuesModule } from '../queues.module.js';
import { DeliveryScheduler } from './delivery-scheduler.js';
import { MessagesController } from './messages.controller.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';
import { outboundQueue } from './outbound.queue.js';
import { SendLimitsService } from './send-limits.service.js';
import { SendingHold } from './sending-hold.service.js';

/** The outgoing-mail API: accepting, listing, retrying and cancelling messages. Delivery is the worker's. */
@Module({
  imports: [QueuesModule, outboundQueue, SendingCheckTriggerModule],
  controllers: [MessagesController],
  providers: [MessagesService, MessagesRepository, SendLimitsService, DeliveryScheduler, SendingHold],
  // The mailboxes API holds and releases a mailbox's messages when its sending is suspended.
  exports: [SendingHold],
})
export class OutboundModule {}
