import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

/** The platform's own notification address, when set through the API (else PLATFORM_NOTIFICATION_EMAIL). */
export const PLATFORM_NOTIFICATION_EMAIL_SETTING = 'notifications.email';


@Injectable()
export class AlertNotificationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async resellerAddress(resellerId: string, tx: Tx = this.prisma): Promise<string | null> {
    const row = await tx.reseller.findUnique({ where: { id: resellerId }, select: { notificationEmail: true } });
    return row?.notificationEmail ?? null;
  }

  async platformAddress(tx: Tx = this.prisma): Promise<string | null> {
    const row = await tx.platformSetting.findUnique({ where: { key: PLATFORM_NOTIFICATION_EMAIL_SETTING } });
    return typeof row?.value === 'string' ? row.value : null;
  }

  async saveResellerAddress(tx: Tx, resellerId: string, email: string | null): Promise<void> {
    await tx.reseller.update({ where: { id: resellerId }, data: { notificationEmail: email } });
  }

  async savePlatformAddress(tx: Tx, email: string | null): Promise<void> {
    const key = PLATFORM_NOTIFICATION_EMAIL_SETTING;
    if (email === null) await tx.platformSetting.deleteMany({ where: { key } });
    else await tx.platformSetting.upsert({ where: { key }, create: { key, value: email }, update: { value: email } });
  }

  async mailboxAddress(mailboxId: string, tx: Tx = this.prisma): Promise<string | null> {
    return (await tx.mailbox.findUnique({ where: { id: mailboxId }, select: { address: true } }))?.address ?? null;
  }
}
