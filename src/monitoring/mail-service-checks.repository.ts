import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { MailProtocol } from '../settings-lookup/mail-endpoints.js';
import type { EndpointStatus } from './mail-service-probe.js';

const HOSTNAMES = { imapHostname: true, pop3Hostname: true, smtpHostname: true } as const;
const HAS_HOSTNAME = [{ imapHostname: { not: null } }, { pop3Hostname: { not: null } }, { smtpHostname: { not: null } }];

// The platform's own rows: no tenant owns the mail services.
@Injectable()
export class MailServiceChecksRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The host names tenants advertise, per protocol: every reseller's, and those of active domains
   * only. A domain nobody has proven to own yet must not make the platform connect anywhere.
   */
  async tenantHostnames(): Promise<Record<MailProtocol, string[]>> {
    const [resellers, domains] = await Promise.all([
      this.prisma.reseller.findMany({ where: { OR: HAS_HOSTNAME }, select: HOSTNAMES }),
      this.prisma.domain.findMany({ where: { status: 'active', OR: HAS_HOSTNAME }, select: HOSTNAMES }),
    ]);
    const rows = [...resellers, ...domains];
    const names = (column: keyof typeof HOSTNAMES) => [...new Set(rows.flatMap((row) => (row[column] ? [row[column]] : [])))];
    return { imap: names('imapHostname'), pop3: names('pop3Hostname'), smtp: names('smtpHostname') };
  }

  /** The latest result per endpoint; endpoints no longer advertised are forgotten. */
  async replaceAll(results: EndpointStatus[], checkedAt: Date): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.mailServiceCheck.deleteMany({
        where: { NOT: { OR: results.map(({ protocol, encryption, host, port }) => ({ protocol, encryption, host, port })) } },
      });
      for (const result of results) {
        const key = { protocol: result.protocol, encryption: result.encryption, host: result.host, port: result.port };
        const data = {
          status: result.status,
          problems: result.problems as unknown as Prisma.InputJsonValue,
          certificateExpiresAt: result.certificate ? new Date(result.certificate.validTo) : null,
          checkedAt,
        };
        await tx.mailServiceCheck.upsert({
          where: { protocol_encryption_host_port: key },
          create: { ...key, ...data },
          update: data,
        });
      }
    });
  }
}
