import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { type ActivityQuery, type LoginEventDto, loginEventView } from './activity.dto.js';
import { LoginEventsRepository } from './login-events.repository.js';
import { LoginMonitor } from './login-monitor.service.js';
import { MailboxLocksRepository } from './mailbox-locks.repository.js';
import { SendingActivity } from './sending-activity.service.js';

@Injectable()
export class ActivityService {
  constructor(
    private readonly mailboxes: MailboxLocksRepository,
    private readonly events: LoginEventsRepository,
    private readonly monitor: LoginMonitor,
    private readonly sending: SendingActivity,
  ) {}

  /** GET /v1/activity?mailboxId=: recent logins (newest first) and sending volume. */
  async forMailbox(caller: Caller, query: ActivityQuery) {
    const mailbox = await this.mailboxes.find(Tenant.of(caller), query.mailboxId);
    if (!mailbox) throw Problem.notFound('mailbox');
    const logins = await this.events.listForMailbox(mailbox.id, query);
    return {
      mailbox: {
        id: mailbox.id, address: mailbox.address,
        loginLockedAt: mailbox.loginLockedAt, loginLockedReason: mailbox.loginLockedReason, sendingSuspendedAt: mailbox.sendingSuspendedAt,
      },
      sending: await this.sending.forMailbox(mailbox),
      logins: logins.items.map(loginEventView),
      nextCursor: logins.nextCursor,
    };
  }

  /**
   * POST /v1/events: the same rules as Dovecot's reports. A tenant may report logins to its own
   * mailboxes only, and they count in its own IP windows: an IP it reports is blocked for its own
   * accounts, never for the platform's. The platform may report any login, platform-wide.
   */
  async record(caller: Caller, dto: LoginEventDto) {
    if (caller.resellerId !== null) {
      const owner = (await this.mailboxes.ownersOf([dto.login])).get(dto.login);
      if (!owner || owner.resellerId !== caller.resellerId) {
        throw Problem.invalidField('login', 'unknown_mailbox', 'Not a mailbox of this tenant.');
      }
    }
    const detections = await this.monitor.record({
      login: dto.login, remoteIp: dto.remoteIp, protocol: dto.protocol,
      outcome: dto.success ? 'success' : 'failure', source: 'events', at: Date.now(),
      ...(caller.resellerId !== null && { resellerId: caller.resellerId }),
    });
    return { recorded: true, fired: detections.map((d) => d.rule) };
  }
}
