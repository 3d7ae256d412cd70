import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { SendingCheckTrigger } from '../activity/sending-check.trigger.js';
import { CONFIG, type Config } from '../config/config.js';
import { DeliveryScheduler } from './delivery-scheduler.js';
import type { Mailbox } from './message-addresses.js';
import { type ComposedMessage, composeJson, jsonEnvelope } from './message-composition.js';
import { type MessageInput, type MessageListQuery } from './messages.dto.js';
import { type SenderRow, MessagesRepository } from './messages.repository.js';
import { messageDetailView, messageSummaryView } from './messages.view.js';
import { parseRawMessage } from './raw-message.js';
import { countersFor, effectiveLimits, platformCaps } from './send-limits.js';
import { SendLimitsService } from './send-limits.service.js';

const BASE64_BYTES_PER_CHAR = 3 / 4;

@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly messages: MessagesRepository,
    private readonly limits: SendLimitsService,
    private readonly scheduler: DeliveryScheduler,
    private readonly sendingChecks: SendingCheckTrigger,
  ) {}

  /** Accepts a message: checked, composed, counted, committed, then scheduled. */
  async send(caller: Caller, input: MessageInput) {
    const options = { id: randomUUID(), maxRecipients: this.config.OUTBOUND_MAX_RECIPIENTS, now: new Date() };
    let message: ComposedMessage;
    let sender: SenderRow;
    if (input.kind === 'json') {
      const envelope = jsonEnvelope(input.dto, options.maxRecipients);
      const attachmentBytes = input.dto.attachments.reduce((sum, a) => sum + a.content.length * BASE64_BYTES_PER_CHAR, 0);
      this.assertSize(attachmentBytes);
      sender = await this.authorize(caller, envelope.from);
      message = await composeJson(input.dto, envelope, options);
    } else {
      this.assertSize(input.bytes.length);
      message = parseRawMessage(input.bytes, options);
      sender = await this.authorize(caller, message.from);
    }
    this.assertSize(message.raw.length);

    const caps = platformCaps(this.config);
    const reservation = await this.limits.reserve(countersFor([
      ...(sender.mailboxId ? [{ scope: `mailbox:${sender.mailboxId}`, limits: effectiveLimits(sender.mailboxLimits, caps) }] : []),
      { scope: `domain:${sender.domainId}`, limits: effectiveLimits(sender.domainLimits, caps) },
    ], message.recipients.length));
    try {
      await this.messages.insert({
        id: options.id, resellerId: sender.resellerId, domainId: sender.domainId, mailboxId: sender.mailboxId,
        mailFrom: message.from.address, fromHeader: message.fromHeader, subject: message.subject,
        messageIdHeader: message.messageIdHeader, raw: message.raw, recipients: message.recipients,
        lifetimeMs: this.config.OUTBOUND_MAX_LIFETIME_MS,
      });
    } catch (error) {
      await this.limits.refund(reservation);
      throw error;
    }
    await this.scheduleAfterCommit(options.id);
    if (sender.mailboxId) await this.sendingChecks.accepted(sender.mailboxId, reservation);
    return {
      id: options.id,
      status: 'queued' as const,
      messageId: message.messageIdHeader,
      recipients: message.recipients.map((r) => ({ address: r.address, field: r.field, status: 'queued' as const })),
    };
  }

  async list(caller: Caller, query: MessageListQuery) {
    const page = await this.messages.list(Tenant.of(caller), { ...query, after: query.cursor ? decodeCursor(query.cursor) : undefined });
    return mapPage(page, messageSummaryView);
  }

  async get(caller: Caller, id: string) {
    const message = await this.messages.find(Tenant.of(caller), id);
    if (!message) throw Problem.notFound('message');
    return messageDetailView(message);
  }

  /** Deferred recipients are tried again now instead of at their scheduled retry. */
  async retry(caller: Caller, id: string) {
    const tenant = Tenant.of(caller);
    if (!(await this.messages.retryNow(tenant, id))) {
      throw await this.refusal(tenant, id, 'not_retryable', 'The message has no deferred recipients to retry.');
    }
    await this.scheduler.schedule(id);
    return this.get(caller, id);
  }

  /** Stops every recipient not yet delivered or bounced. */
  async cancel(caller: Caller, id: string) {
    const tenant = Tenant.of(caller);
    if (!(await this.messages.cancel(tenant, id))) {
      throw await this.refusal(tenant, id, 'not_cancellable', 'The message is already final.');
    }
    await this.scheduler.unschedule(id);
    return this.get(caller, id);
  }

  private async refusal(tenant: Tenant, id: string, code: string, detail: string): Promise<Problem> {
    const state = await this.messages.stateOf(tenant, id);
    if (!state) return Problem.notFound('message');
    // Only final messages are purged, so a cancel is simply not_cancellable; a retry learns why it can never be.
    if (code === 'not_retryable' && state.bodyPurgedAt) {
      return Problem.conflict('message_purged', 'The message body was deleted after the retention period (MESSAGE_RETENTION_DAYS); send the message again instead.');
    }
    if (state.status === 'sending') return Problem.conflict('delivery_in_progress', 'A delivery attempt is running right now; try again when it ends.');
    return Problem.conflict(code, detail);
  }

  /** The sender must be the caller's: an enabled mailbox, or any address of an active domain. */
  private async authorize(caller: Caller, from: Mailbox): Promise<SenderRow> {
    const sender = await this.messages.findSender(Tenant.of(caller), from.address, from.domain);
    const notAllowed = (why: string) => Problem.forbidden('sender_not_allowed', `You may not send as ${from.address}: ${why}.`);
    if (!sender) throw notAllowed('it is not an address of your domains');
    if (!sender.domainActive) throw notAllowed('its domain is not active');
    if (sender.mailboxId && !(sender.mailboxEnabled && sender.mailboxSmtp)) throw notAllowed('the mailbox is disabled or may not send');
    if (sender.suspendedAt) throw Problem.forbidden('sending_suspended', `Outgoing mail of ${from.address} is suspended.`);
    return sender;
  }

  private assertSize(bytes: number): void {
    const max = this.config.OUTBOUND_MAX_MESSAGE_BYTES;
    if (bytes > max) throw new Problem(413, 'message_too_large', `Messages are at most ${max} bytes.`);
  }

  // The row is committed: a failure to enqueue loses nothing, the reconciler schedules the message.
  private async scheduleAfterCommit(id: string): Promise<void> {
    try {
      await this.scheduler.enqueue(id);
    } catch (error) {
      this.logger.warn({ messageId: id, err: error }, 'message accepted but not enqueued; the reconciler will enqueue it');
    }
  }
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = cursor.split('|');
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) {
    throw Problem.invalidField('cursor', 'invalid_cursor', 'This cursor was not issued by this API.');
  }
  return { createdAt, id };
}
