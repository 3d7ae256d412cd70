import { Injectable } from '@nestjs/common';
import type { MailEndpoints as MailEndpointsRow } from '../generated/prisma/client.js';
import type { Tenant } from '../common/tenant.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import type { HostnameColumns } from './hostname-overrides.js';

export type { MailEndpointsRow };
export type MailEndpointsData = Omit<MailEndpointsRow, 'id' | 'updatedAt'>;

/** A domain that mail is hosted for, with the host names it and its reseller advertise. */
export interface HostedDomain extends HostnameColumns {
  name: string;
  reseller: HostnameColumns | null;
}

// The table holds at most one row (a CHECK constraint says so).
const PLATFORM_ROW = 1;
const HOSTNAMES = { imapHostname: true, pop3Hostname: true, smtpHostname: true } as const;
const ACTIVE = { status: 'active' } as const;
const HOSTED_DOMAIN = { name: true, ...HOSTNAMES, reseller: { select: HOSTNAMES } } as const;

@Injectable()
export class MailEndpointsRepository {
  constructor(private readonly prisma: PrismaService) {}

  findPlatform(tx: Tx = this.prisma): Promise<MailEndpointsRow | null> {
    return tx.mailEndpoints.findUnique({ where: { id: PLATFORM_ROW } });
  }

  savePlatform(tx: Tx, data: MailEndpointsData): Promise<MailEndpointsRow> {
    return tx.mailEndpoints.upsert({ where: { id: PLATFORM_ROW }, create: { id: PLATFORM_ROW, ...data }, update: data });
  }

  /**
   * The domain named `name`, or the target of the domain alias named so. `tenant` null is for
   * the public lookups: they know only active domains and active aliases of active domains, so
   * a name nobody proved (a pending domain, or an alias added for someone else's domain) never
   * gets the host names its holder set.
   */
  async findHostedDomain(name: string, tenant: Tenant | null): Promise<HostedDomain | null> {
    const owner = tenant?.ownerFilter() ?? ACTIVE;
    const domain = await this.prisma.domain.findFirst({ where: { name, ...owner }, select: HOSTED_DOMAIN });
    if (domain) return domain;
    const alias = await this.prisma.domainAlias.findFirst({
      where: { name, targetDomain: owner, ...(tenant ? {} : ACTIVE) },
      select: { targetDomain: { select: HOSTED_DOMAIN } },
    });
    return alias?.targetDomain ?? null;
  }

  /** The host names each of these resellers advertises, for the domain representations. */
  async resellerHostnames(ids: string[]): Promise<Map<string, HostnameColumns>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.reseller.findMany({ where: { id: { in: ids } }, select: { id: true, ...HOSTNAMES } });
    return new Map(rows.map(({ id, ...hostnames }) => [id, hostnames]));
  }
}
