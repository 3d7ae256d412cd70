import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertsService } from '../../alerts/alerts.service.js';
import { CONFIG, type Config } from '../../config/config.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { WebhookDestination, WebhookDestinationError } from '../webhook-destination.js';
import { WebhookSecrets } from '../webhook-secrets.js';
import { signedHeaders } from '../webhook-signer.js';
import { type ClaimedDelivery, type NextState, WebhookDeliveryRepository } from './webhook-delivery.repository.js';
import { type HttpOutcome, postWebhook } from './webhook-http.js';
import { judge, nextWebhookAttempt } from './webhook-retry.js';

/** What the job does next: nothing, or run again at `retryAt`. */
export type WebhookVerdict = { done: true; reason: string } | { done: false; retryAt: Date; reason: string };

// A claim outlives the longest attempt (connect + total timeout) by this much, so a live worker
// never loses its delivery to another one.
const LEASE_MARGIN_MS = 30_000;
// Errors after which the host's next address is tried within the same attempt.
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNECTTIMEOUT', 'ECONNRESET']);

/**
 * One attempt of one delivery, as a checklist: claim → check the endpoint → resolve and check
 * the destination → sign → post → record (and, after a day of failures, disable the endpoint
 * and alert its tenant) → retry later or finish.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly repository: WebhookDeliveryRepository,
    private readonly destination: WebhookDestination,
    private readonly secrets: WebhookSecrets,
    private readonly alerts: AlertsService,
  ) {}

  async deliver(deliveryId: string): Promise<WebhookVerdict> {
    const claim = await this.repository.claim(deliveryId, this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
    if (!claim) return this.notClaimed(deliveryId);
    if (!claim.enabled) return this.finish(claim, null, { status: 'failed', nextAttemptAt: null, lastError: 'endpoint disabled' });
    const outcome = await this.send(claim);
    const verdict = judge(outcome);
    const now = new Date();
    const retryAt = verdict.kind === 'retry'
      ? nextWebhookAttempt(now, claim.attempts, claim.expiresAt, { baseMs: this.config.WEBHOOK_RETRY_BASE_MS, maxMs: this.config.WEBHOOK_RETRY_MAX_MS }, verdict.retryAfterMs)
      : null;
    const next: NextState = verdict.kind === 'delivered'
      ? { status: 'delivered', nextAttemptAt: null, lastError: null }
      : { status: retryAt ? 'pending' : 'failed', nextAttemptAt: retryAt, lastError: verdict.reason };
    this.logger.log({ deliveryId, attempt: claim.attempts, status: outcome.status, error: outcome.error, next: retryAt }, 'webhook attempt');
    return this.finish(claim, outcome, next);
  }

  private async notClaimed(id: string): Promise<WebhookVerdict> {
    const state = await this.repository.state(id);
    if (!state) return { done: true, reason: 'delivery no longer exists' };
    if (state.status === 'delivering' && state.leaseUntil) return { done: false, retryAt: state.leaseUntil, reason: 'leased by another worker' };
    if (state.status === 'pending' && state.nextAttemptAt) return { done: false, retryAt: state.nextAttemptAt, reason: 'not due yet' };
    return { done: true, reason: `delivery is ${state.status}` };
  }

  /** Tries the host's approved addresses in turn until one answers; never throws for the network. */
  private async send(claim: ClaimedDelivery): Promise<HttpOutcome> {
    let target;
    try {
      target = await this.destination.resolve(claim.url);
    } catch (error) {
      if (!(error instanceof WebhookDestinationError)) throw error;
      return { status: null, error: error.code, retryAfter: null, excerpt: error.message, latencyMs: 0 };
    }
    const headers = signedHeaders(this.secrets.signing(claim), claim.eventId, claim.body);
    const options = { connectTimeoutMs: this.config.WEBHOOK_CONNECT_TIMEOUT_MS, totalTimeoutMs: this.config.WEBHOOK_TIMEOUT_MS };
    let outcome!: HttpOutcome;
    for (const address of target.addresses) {
      outcome = await postWebhook(target, address, headers, claim.body, options);
      if (outcome.status !== null || !CONNECT_ERRORS.has(outcome.error ?? '')) break;
    }
    return outcome;
  }

  private async finish(claim: ClaimedDelivery, outcome: HttpOutcome | null, next: NextState): Promise<WebhookVerdict> {
    const { recorded, failingSince } = await this.repository.record(claim, outcome, next);
    if (!recorded) return { done: true, reason: 'claim lost to another worker' };
    if (outcome && next.status !== 'delivered' && failingSince && Date.now() - failingSince.getTime() >= this.config.WEBHOOK_DISABLE_AFTER_MS) {
      await this.disable(claim, failingSince, next.lastError);
    }
    return next.status === 'pending' && next.nextAttemptAt
      ? { done: false, retryAt: next.nextAttemptAt, reason: next.lastError ?? 'retry' }
      : { done: true, reason: next.status };
  }

  /** Off after a day of failures, and its tenant alerted (e-mailed like every new alert), together. */
  private async disable(claim: ClaimedDelivery, failingSince: Date, lastError: string | null): Promise<void> {
    const reason = `every attempt failed since ${failingSince.toISOString()} (last: ${lastError})`;
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.repository.disableEndpoint(tx, claim.endpointId, reason))) return;
      await this.alerts.raise({
        resellerId: claim.resellerId, rule: 'webhook.endpoint_disabled', severity: 'warning',
        summary: `Webhook endpoint ${claim.url} was disabled: ${reason}`,
        evidence: { endpointId: claim.endpointId, url: claim.url, failingSince, lastError },
        dedupeKey: `webhook.endpoint_disabled:${claim.endpointId}`,
      }, tx);
    });
  }
}
