import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { WebhookCreateDto, WebhookDeliveryListQuery, WebhookListQuery, WebhookUpdateDto, deliveryParams } from './webhooks.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Resource('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** The endpoint with its signing secret (`whsec_…`), shown this once. */
  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: WebhookCreateDto }) dto: WebhookCreateDto) {
    return this.webhooks.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: WebhookListQuery }) query: WebhookListQuery) {
    return this.webhooks.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.webhooks.get(caller, id);
  }

  @Patch(':id')
  update(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: WebhookUpdateDto }) dto: WebhookUpdateDto) {
    return this.webhooks.update(caller, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.webhooks.delete(caller, id);
  }

  /** A new secret, shown once; the previous one keeps signing too for 24 hours. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  rotateSecret(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.webhooks.rotateSecret(caller, id);
  }

  /** The delivery log: each event with every attempt (time, status or error, latency, first 1 KB of the response). */
  @Get(':id/deliveries')
  deliveries(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Query({ schema: WebhookDeliveryListQuery }) query: WebhookDeliveryListQuery) {
    return this.webhooks.deliveries(caller, id, query);
  }

  /** The same event again (same webhook-id); 409 `delivery_in_progress` while it is still being attempted. */
  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  redeliver(@CurrentCaller() caller: Caller, @Param({ schema: deliveryParams }) { id, deliveryId }: { id: string; deliveryId: string }) {
    return this.webhooks.redeliver(caller, id, deliveryId);
  }

  /** Sends a `webhook.test` event to this endpoint. */
  @Post(':id/test')
  @HttpCode(202)
  test(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.webhooks.test(caller, id);
  }
}
