import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { createClaimed } from '../common/name-claims.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { platformCaps } from '../outbound/send-limits.js';
import { SendingHold } from '../outbound/sending-hold.service.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ResellerLimits } from '../resellers/reseller-limits.service.js';
import { TotpService } from '../totp/totp.service.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';
import { type MailboxCreateDto, type MailboxListQuery, type MailboxUpdateDto, mailboxView } from './mailboxes.dto.js';
import { sendingChange } from './mailbox-sending.js';
import { sendingSuspendedData } from '../webhooks/webhook-event-data.js';
import { MailboxesRepository } from './mailboxes.repository.js';

@Injectable()
export class MailboxesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly mailboxes: MailboxesRepository,
    private readonly domains: DomainsRepository,
    private readonly limits: ResellerLimits,
    private readonly hasher: PasswordHasher,
    private readonly policies: PasswordPolicyService,
    private readonly audit: AuditService,
    private readonly sendingHold: SendingHold,
    private readonly totp: TotpService,
    private readonly webhooks: WebhookEvents,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async create(caller: Caller, dto: MailboxCreateDto) {
    const tenant = Tenant.of(caller);
    const domain = await this.domains.findByName(tenant, dto.address.domain);
    if (!domain) throw Problem.invalidField('address', 'unknown_domain', 'The address is not in one of your domains.');
    await this.policies.assertAcceptable(dto.password, {
      resellerId: domain.resellerId,
      domainPolicy: domain.passwordPolicy,
      context: { localPart: dto.address.localPart, domain: domain.name, displayName: dto.displayName },
    });
    // Hash before the transaction: the reseller's row stays locked only for the inserts.
    const passwordHash = await this.hasher.hash(dto.password);
    return this.prisma.$transaction(async (tx) => {
      await this.limits.reserve(tx, domain.resellerId, { mailboxes: 1, storageBytes: BigInt(dto.quotaBytes) });
      const mailbox = await createClaimed(tx, dto.address.address, 'mailboxId', 'address', () =>
        this.mailboxes.create(tx, {
          domainId: domain.id,
          localPart: dto.address.localPart,
          address: dto.address.address,
          displayName: dto.displayName ?? null,
          passwordHash,
          quotaBytes: dto.quotaBytes,
          enabled: dto.enabled,
          imapEnabled: dto.protocols.imap ?? true,
          pop3Enabled: dto.protocols.pop3 ?? true,
          smtpEnabled: dto.protocols.smtp ?? true,
        }),
      );
      const view = mailboxView(mailbox);
      await this.audit.record(tx, caller, { action: 'mailbox.create', resellerId: domain.resellerId, target: mailbox, after: view });
      await this.webhooks.emit(tx, domain.resellerId, 'mailbox.created', { mailbox: view });
      return view;
    });
  }

  async get(caller: Caller, id: string) {
    const mailbox = await this.mailboxes.find(Tenant.of(caller), id);
    if (!mailbox) throw Problem.notFound('mailbox');
    return mailboxView(mailbox);
  }

  async list(caller: Caller, query: MailboxListQuery) {
    return mapPage(await this.mailboxes.list(Tenant.of(caller), query), mailboxView);
  }

  async update(caller: Caller, id: string, dto: MailboxUpdateDto) {
    const { after, released } = await this.prisma.$transaction(async (tx) => {
      if (dto.quotaBytes !== undefined) await this.mailboxes.lockOwningReseller(Tenant.of(caller), id, tx);
      const mailbox = await this.mailboxes.find(Tenant.of(caller), id, tx);
      if (!mailbox) throw Problem.notFound('mailbox');
      const sending = sendingChange(mailbox, dto, platformCaps(this.config));
      if (dto.requireAppPasswords && !mailbox.requireAppPasswords
        && !(await this.totp.isEnabled({ kind: 'mailbox', id, resellerId: mailbox.domain.resellerId, accountName: mailbox.address }))) {
        // Otherwise the owner would be locked out of mail with no second factor on the dashboard either.
        throw Problem.conflict('totp_required', "App passwords can be required only once the mailbox's owner has TOTP on.");
      }
      if (dto.quotaBytes !== undefined) {
        await this.limits.reserve(tx, mailbox.domain.resellerId, { storageBytes: BigInt(dto.quotaBytes) - mailbox.quotaBytes });
      }
      const updated = await this.mailboxes.update(tx, id, {
        ...(dto.displayName !== undefined && { displayName: dto.displayName }),
        ...(dto.quotaBytes !== undefined && { quotaBytes: dto.quotaBytes }),
        ...(dto.enabled !== undefined && { enabled: dto.enabled }),
        ...(dto.protocols?.imap !== undefined && { imapEnabled: dto.protocols.imap }),
        ...(dto.protocols?.pop3 !== undefined && { pop3Enabled: dto.protocols.pop3 }),
        ...(dto.protocols?.smtp !== undefined && { smtpEnabled: dto.protocols.smtp }),
        ...(dto.requireAppPasswords !== undefined && { requireAppPasswords: dto.requireAppPasswords }),
        ...sending.columns,
      });
      if (sending.action === 'mailbox.suspend_sending') await this.sendingHold.hold(tx, id);
      const released = sending.action === 'mailbox.resume_sending' ? await this.sendingHold.release(tx, id) : [];
      const after = mailboxView(updated);
      await this.audit.record(tx, caller, {
        action: sending.action ?? 'mailbox.update', resellerId: mailbox.domain.resellerId, target: mailbox, before: mailboxView(mailbox), after,
      });
      await this.webhooks.emit(tx, mailbox.domain.resellerId, 'mailbox.updated', { mailbox: after, previous: mailboxView(mailbox) });
      if (sending.action === 'mailbox.suspend_sending') await this.webhooks.emit(tx, mailbox.domain.resellerId, 'mailbox.sending_suspended', sendingSuspendedData(updated));
      return { after, released };
    });
    await this.sendingHold.schedule(released);
    return after;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const mailbox = await this.mailboxes.find(Tenant.of(caller), id, tx);
      if (!mailbox) throw Problem.notFound('mailbox');
      await this.mailboxes.delete(tx, id);
      await this.audit.record(tx, caller, {
        action: 'mailbox.delete', resellerId: mailbox.domain.resellerId, target: mailbox, before: mailboxView(mailbox),
      });
      await this.webhooks.emit(tx, mailbox.domain.resellerId, 'mailbox.deleted', { mailbox: mailboxView(mailbox) });
    });
  }
}
