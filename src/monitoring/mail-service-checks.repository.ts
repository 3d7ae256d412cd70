import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { EndpointStatus } from './mail-service-probe.js';

// The platform's own rows: no tenant owns the mail services.
@Injectable()
export class MailServiceChecksRepository {
  constructor(private readonly prisma: PrismaService) {}

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
