import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { CONFIG, type Config } from '../src/config/config.js';
import { DkimRotationService } from '../src/domain-dns/dkim-rotation.service.js';
import { DnsCheckService } from '../src/domain-dns/dns-check.service.js';
import { DOMAIN_DNS_QUEUE, DomainDnsJobs } from '../src/domain-dns/domain-dns.queue.js';
import { DomainVerificationService } from '../src/domain-dns/domain-verification.service.js';

@Processor(DOMAIN_DNS_QUEUE)
export class DomainDnsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly verification: DomainVerificationService,
    private readonly rotation: DkimRotationService,
    private readonly checks: DnsCheckService,
    @InjectQueue(DOMAIN_DNS_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  /** One schedule however many workers start: upserting a job scheduler is idempotent. */
  async onApplicationBootstrap() {
    await this.queue.upsertJobScheduler(DomainDnsJobs.sweep, { every: this.config.DOMAIN_DNS_SWEEP_EVERY_MS }, { name: DomainDnsJobs.sweep });
  }

  /** Each step skips (and logs) a domain whose DNS cannot be asked; only a failing database fails the job. */
  async process(job: Job) {
    if (job.name !== DomainDnsJobs.sweep) throw new Error(`Unknown domain-dns job ${job.name}`);
    const verification = await this.verification.recheckPending();
    const dkim = await this.rotation.advance();
    const checks = await this.checks.refreshStale();
    return { verification, dkim, checks };
  }
}
