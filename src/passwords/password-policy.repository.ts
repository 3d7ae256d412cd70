import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { PasswordPolicyLayer } from './password-policy.js';

export const PLATFORM_FLOOR = 'password_policy.floor';
export const PLATFORM_DEFAULT = 'password_policy.default';

type Layer = PasswordPolicyLayer | null;
const asJson = (layer: Layer) => (layer === null ? Prisma.DbNull : (layer as Prisma.InputJsonValue));

@Injectable()
export class PasswordPolicyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async setting(key: string): Promise<Layer> {
    const row = await this.prisma.platformSetting.findUnique({ where: { key } });
    return (row?.value as Layer) ?? null;
  }

  async saveSetting(tx: Tx, key: string, layer: Layer): Promise<void> {
    if (layer === null) await tx.platformSetting.deleteMany({ where: { key } });
    else await tx.platformSetting.upsert({ where: { key }, create: { key, value: layer as Prisma.InputJsonValue }, update: { value: layer as Prisma.InputJsonValue } });
  }

  async resellerLayer(resellerId: string): Promise<Layer> {
    const row = await this.prisma.reseller.findUnique({ where: { id: resellerId }, select: { passwordPolicy: true } });
    return (row?.passwordPolicy as Layer) ?? null;
  }

  async saveResellerLayer(tx: Tx, resellerId: string, layer: Layer): Promise<void> {
    await tx.reseller.update({ where: { id: resellerId }, data: { passwordPolicy: asJson(layer) } });
  }

  async saveDomainLayer(tx: Tx, domainId: string, layer: Layer): Promise<void> {
    await tx.domain.update({ where: { id: domainId }, data: { passwordPolicy: asJson(layer) } });
  }

  /** Previous hashes of a mailbox, newest first. */
  async history(mailboxId: string, take: number): Promise<string[]> {
    if (take === 0) return [];
    const rows = await this.prisma.passwordHistoryEntry.findMany({
      where: { mailboxId }, orderBy: { createdAt: 'desc' }, take, select: { passwordHash: true },
    });
    return rows.map((r) => r.passwordHash);
  }

  /** Remembers a replaced hash and keeps only the newest `keep`. */
  async remember(tx: Tx, mailboxId: string, passwordHash: string, keep: number): Promise<void> {
    await tx.passwordHistoryEntry.create({ data: { mailboxId, passwordHash } });
    const stale = await tx.passwordHistoryEntry.findMany({
      where: { mailboxId }, orderBy: { createdAt: 'desc' }, skip: keep, select: { id: true },
    });
    if (stale.length) await tx.passwordHistoryEntry.deleteMany({ where: { id: { in: stale.map((s) => s.id) } } });
  }
}
