import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import type { WebhookEndpoint } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { WebhookDestination, WebhookDestinationError } from './webhook-destination.js';
import { WebhookEvents } from './webhook-events.service.js';
import { webhookEvent } from './webhook-payload.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { newSecret } from './webhook-signer.js';
import {
  type WebhookCreateDto, type WebhookDeliveryListQuery, type WebhookListQuery, type WebhookUpdateDto, deliveryView, webhookView,
} from './webhooks.dto.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** How long the secret before a rotation keeps signing (receivers switch within it). */
export const PREVIOUS_SECRET_VALID_MS = 24 * 3_600_000;

// Why a URL is refused at creation, as field error codes (README, "Error codes").
const DESTINATION_CODES = { EPRIVATEDEST: 'private_destination', EINSECURE: 'insecure_url', ENOTFOUND: 'unresolvable_host', EDNS: 'unresolvable_host' } as const;

@Injectable()
export class WebhooksService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly endpoints: WebhooksRepository,
    private readonly destination: WebhookDestination,
    private readonly secrets: WebhookSecrets,
    private readonly events: WebhookEvents,
    private readonly audit: AuditService,
  ) {}

  /** The endpoint, and its signing secret: shown this once. */
  async create(caller: Caller, dto: WebhookCreateDto) {
    await this.checkDestination(dto.url);
    const secret = newSecret();
    return this.prisma.$transaction(async (tx) => {
      const endpoint = await this.endpoints.create(tx, {
        resellerId: caller.resellerId, url: dto.url, events: dto.events, description: dto.description ?? null,
        enabled: dto.enabled, secret: this.secrets.seal(secret),
      });
      const view = webhookView(endpoint);
      await this.audit.record(tx, caller, { action: 'webhook.create', resellerId: endpoint.resellerId, target: endpoint, after: view });
      return { ...view, secret };
    });
  }

  async list(caller: Caller, query: WebhookListQuery) {
    return mapPage(await this.endpoints.list(Tenant.of(caller), query), webhookView);
  }

  async get(caller: Caller, id: string) {
    return webhookView(await this.mine(caller, id));
  }

  async update(caller: Caller, id: string, dto: WebhookUpdateDto) {
    if (dto.url !== undefined) await this.checkDestination(dto.url);
    return this.prisma.$transaction(async (tx) => {
      const endpoint = await this.mine(caller, id, tx);
      const reenabled = dto.enabled === true && !endpoint.enabled;
      const updated = await this.endpoints.update(tx, id, {
        ...(dto.url !== undefined && { url: dto.url }),
        ...(dto.events !== undefined && { events: dto.events }),
        ...(dto.description !== undefined && { description: dto.description }),
        ...(dto.enabled !== undefined && { enabled: dto.enabled }),
        ...(reenabled && { failingSince: null, disabledReason: null }),
      });
      const after = webhookView(updated);
      await this.audit.record(tx, caller, { action: 'webhook.update', resellerId: endpoint.resellerId, target: endpoint, before: webhookView(endpoint), after });
      return after;
    });
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const endpoint = await this.mine(caller, id, tx);
      await this.endpoints.delete(tx, id);
      await this.audit.record(tx, caller, { action: 'webhook.delete', resellerId: endpoint.resellerId, target: endpoint, before: webhookView(endpoint) });
    });
  }

  /** A new secret, shown once; the current one keeps signing (a second signature) for 24 h. */
  async rotateSecret(caller: Caller, id: string) {
    const secret = newSecret();
    return this.prisma.$transaction(async (tx) => {
      const endpoint = await this.mine(caller, id, tx);
      const updated = await this.endpoints.update(tx, id, {
        secret: this.secrets.seal(secret), previousSecret: endpoint.secret,
        previousSecretUntil: new Date(Date.now() + PREVIOUS_SECRET_VALID_MS),
      });
      const view = webhookView(updated);
      await this.audit.record(tx, caller, { action: 'webhook.rotate_secret', resellerId: endpoint.resellerId, target: endpoint, after: view });
      return { ...view, secret };
    });
  }

  async deliveries(caller: Caller, id: string, query: WebhookDeliveryListQuery) {
    await this.mine(caller, id);
    return mapPage(await this.endpoints.deliveries(id, query), deliveryView);
  }

  /** The same event (same webhook-id, same body) once more; only a finished delivery. */
  async redeliver(caller: Caller, id: string, deliveryId: string) {
    return this.prisma.$transaction(async (tx) => {
      const endpoint = await this.mine(caller, id, tx);
      const delivery = await this.endpoints.findDelivery(id, deliveryId, tx);
      if (!delivery) throw Problem.notFound('delivery');
      const again = await this.endpoints.redeliver(tx, id, deliveryId, this.config.WEBHOOK_MAX_LIFETIME_MS);
      if (!again) throw Problem.conflict('delivery_in_progress', 'This delivery is still being attempted; redeliver it once it has finished.');
      await this.audit.record(tx, caller, { action: 'webhook.redeliver', resellerId: endpoint.resellerId, target: endpoint, after: { deliveryId, eventId: delivery.eventId } });
      return deliveryView(again);
    });
  }

  /** A `webhook.test` event to this endpoint alone, delivered like any other. */
  async test(caller: Caller, id: string) {
    return this.prisma.$transaction(async (tx) => {
      const endpoint = await this.mine(caller, id, tx);
      const event = webhookEvent(endpoint.resellerId, 'webhook.test', { endpointId: id, message: 'A test event sent on request.' });
      const [deliveryId] = await this.events.write(tx, [event], id);
      await this.audit.record(tx, caller, { action: 'webhook.test', resellerId: endpoint.resellerId, target: endpoint, after: { deliveryId, eventId: event.id } });
      return { deliveryId, eventId: event.id };
    });
  }

  private async mine(caller: Caller, id: string, tx?: Parameters<WebhooksRepository['find']>[2]): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.find(Tenant.of(caller), id, tx);
    if (!endpoint) throw Problem.notFound('webhook');
    return endpoint;
  }

  /** Refused at once what every attempt would refuse (a private, unknown or plain-http destination). */
  private async checkDestination(url: string): Promise<void> {
    try {
      await this.destination.resolve(url);
    } catch (error) {
      if (!(error instanceof WebhookDestinationError)) throw error;
      throw Problem.invalidField('url', DESTINATION_CODES[error.code], error.message);
    }
  }
}
