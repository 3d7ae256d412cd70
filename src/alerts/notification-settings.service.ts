import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { CONFIG, type Config } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { AlertNotificationsRepository } from './alert-notifications.repository.js';
import type { NotificationSettingsDto } from './notification-settings.dto.js';

/**
 * GET/PUT /v1/notification-settings: where the caller's own tenant is told about new alerts. A
 * reseller sets its own address (the platform may also set it with PATCH /v1/resellers/{id}); a
 * platform key sets the platform's, which overrides PLATFORM_NOTIFICATION_EMAIL.
 */
@Injectable()
export class NotificationSettingsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly notifications: AlertNotificationsRepository,
    private readonly audit: AuditService,
  ) {}

  async get(caller: Caller) {
    if (caller.resellerId) return { email: await this.notifications.resellerAddress(caller.resellerId) };
    return { email: (await this.notifications.platformAddress()) ?? this.config.PLATFORM_NOTIFICATION_EMAIL ?? null };
  }

  async set(caller: Caller, dto: NotificationSettingsDto) {
    const before = await this.get(caller);
    await this.prisma.$transaction(async (tx) => {
      if (caller.resellerId) await this.notifications.saveResellerAddress(tx, caller.resellerId, dto.email);
      else await this.notifications.savePlatformAddress(tx, dto.email);
      await this.audit.record(tx, caller, {
        action: caller.resellerId ? 'reseller.notifications_update' : 'platform.notifications_update',
        resellerId: caller.resellerId, target: { id: caller.resellerId ?? 'platform' }, before, after: { email: dto.email },
      });
    });
    return this.get(caller);
  }
}
