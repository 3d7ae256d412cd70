import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CONFIG, type Config } from '../config/config.js';
import type { Alert } from '../generated/prisma/client.js';
import { DeliveryScheduler } from '../outbound/delivery-scheduler.js';
import { insertSystemMessage } from '../outbound/system-messages.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { composeAlertNotification } from './alert-notification.js';
import { AlertNotificationsRepository } from './alert-notifications.repository.js';

const SEVERITY_RANK = { info: 0, warning: 1, critical: 2 } as const;

/**
 * E-mails a new alert (not a refresh of an open one) to its tenant's notification address, or the
 * platform's, through Postmaster's own outgoing queue: the message is a row like any other, so it
 * is retried, and listed in the tenant's GET /v1/messages as `kind: notification`.
 */
@Injectable()
export class AlertNotifier {
  private readonly logger = new Logger(AlertNotifier.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly notifications: AlertNotificationsRepository,
    private readonly scheduler: DeliveryScheduler,
  ) {}

  /** Whether a message was queued. In the caller's transaction when `tx` is given. */
  async alertRaised(alert: Alert, tx?: Tx): Promise<boolean> {
    if (SEVERITY_RANK[alert.severity as keyof typeof SEVERITY_RANK] < SEVERITY_RANK[this.config.NOTIFY_MIN_SEVERITY]) return false;
    const to = alert.resellerId
      ? await this.notifications.resellerAddress(alert.resellerId, tx)
      : ((await this.notifications.platformAddress(tx)) ?? this.config.PLATFORM_NOTIFICATION_EMAIL ?? null);
    if (!to) return false;
    const id = randomUUID();
    const from = this.config.NOTIFICATION_FROM ?? `postmaster@${this.config.MAIL_HOSTNAME}`;
    const mail = await composeAlertNotification({
      alert, to, from, hostname: this.config.MAIL_HOSTNAME, messageId: id,
      mailboxAddress: alert.mailboxId ? await this.notifications.mailboxAddress(alert.mailboxId, tx) : null,
    });
    // No mailbox (a suspended mailbox's alert still goes out) and no domain (no DKIM key needed).
    await insertSystemMessage(tx ?? this.prisma, {
      id, kind: 'notification', resellerId: alert.resellerId, mailFrom: from, fromHeader: `Postmaster <${from}>`, to, subject: mail.subject,
      messageIdHeader: mail.messageIdHeader, raw: mail.raw, expiresAt: new Date(Date.now() + this.config.OUTBOUND_MAX_LIFETIME_MS),
    });
    // Inside the caller's transaction the row is not visible yet: the reconciler enqueues it once
    // committed (within OUTBOUND_RECONCILE_EVERY_MS). Otherwise it is due now.
    if (!tx) {
      await this.scheduler.schedule(id).catch((error: unknown) => this.logger.warn({ messageId: id, err: error }, 'notification not enqueued; the reconciler will'));
    }
    this.logger.log({ alertId: alert.id, messageId: id, to }, 'alert notification queued');
    return true;
  }
}
