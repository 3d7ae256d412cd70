import { BullModule } from '@nestjs/bullmq';

export const DOMAIN_DNS_QUEUE = 'domain-dns';

export const DomainDnsJobs = {
  /** One pass: pending verifications and expiry, DKIM rotations, stale DNS checks. */
  sweep: 'domain-dns-sweep',
} as const;

export const domainDnsQueue = BullModule.registerQueue({ name: DOMAIN_DNS_QUEUE });
