import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { PROBE_MAIL_SERVICES_EVERY_MS } from '../src/monitoring/monitoring.constants.js';
import { MAIL_SERVICE_STATUS_QUEUE, MailServiceStatusJobs } from '../src/monitoring/mail-service-status.queue.js';
import { MailServiceStatusService } from '../src/monitoring/mail-service-status.service.js';

@Processor(MAIL_SERVICE_STATUS_QUEUE)
export class MailServiceStatusProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MailServiceStatusProcessor.name);

  constructor(
    private readonly status: MailServiceStatusService,
    @InjectQueue(MAIL_SERVICE_STATUS_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  /** One schedule however many workers start: upserting a job scheduler is idempotent. */
  async onApplicationBootstrap() {
    await this.queue.upsertJobScheduler(MailServiceStatusJobs.probe, { every: PROBE_MAIL_SERVICES_EVERY_MS }, { name: MailServiceStatusJobs.probe });
  }

  /** A failing mail service is a finding, not a job failure: the job fails only if probing itself does. */
  async process(job: Job): Promise<{ status: string; endpoints: number; problems: number }> {
    if (job.name !== MailServiceStatusJobs.probe) throw new Error(`Unknown mail-service-status job ${job.name}`);
    const report = await this.status.probeAndRecord();
    for (const endpoint of report.endpoints.filter((e) => e.status !== 'ok')) {
      const { protocol, encryption, host, port, problems } = endpoint;
      this.logger.warn({ protocol, encryption, host, port, problems }, `mail service ${protocol} ${host}:${port} is ${endpoint.status}`);
    }
    const problems = report.endpoints.reduce((sum, e) => sum + e.problems.length, 0);
    return { status: report.status, endpoints: report.endpoints.length, problems };
  }
}
