import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { OutboundModule } from '../outbound/outbound.module.js';
import { LoginCounters } from './login-counters.js';
import { MailboxLocksRepository } from './mailbox-locks.repository.js';
import { MailboxLocks } from './mailbox-locks.service.js';
import { SendingMonitor } from './sending-monitor.service.js';
import { SendingVolumeRepository } from './sending-volume.repository.js';

/**
 * The outgoing-mail rules for the worker (its processor is listed in workers/worker.module.ts).
 * Suspensions go through MailboxLocks, the login rules' path, so both are audited alike.
 */
@Module({
  imports: [OutboundModule, AlertsModule],
  providers: [SendingMonitor, SendingVolumeRepository, MailboxLocks, MailboxLocksRepository, LoginCounters],
  exports: [SendingMonitor],
})
export class SendingMonitorModule {}
