import { Module } from '@nestjs/common';
import { AppPasswordsModule } from '../app-passwords/app-passwords.module.js';
import { OutboundModule } from '../outbound/outbound.module.js';
import { ActivityController } from './activity.controller.js';
import { ActivityService } from './activity.service.js';
import { AuthPolicySecretGuard } from './auth-policy-secret.guard.js';
import { AuthPolicyController } from './auth-policy.controller.js';
import { AuthPolicyService } from './auth-policy.service.js';
import { LoginActions } from './login-actions.service.js';
import { LoginCounters } from './login-counters.js';
import { LoginEventsRepository } from './login-events.repository.js';
import { LoginEventsWriter } from './login-events.writer.js';
import { LoginMonitor } from './login-monitor.service.js';
import { MailboxLocksRepository } from './mailbox-locks.repository.js';
import { MailboxLocks } from './mailbox-locks.service.js';
import { MailboxLoginLockController } from './mailbox-login-lock.controller.js';
import { OwnActivity } from './own-activity.service.js';
import { SendingActivity } from './sending-activity.service.js';
import { SendingVolumeRepository } from './sending-volume.repository.js';

/** Login monitoring: Dovecot's auth-policy hook, POST /v1/events, the rules, GET /v1/activity, login locks. */
@Module({
  imports: [OutboundModule, AppPasswordsModule],
  controllers: [AuthPolicyController, ActivityController, MailboxLoginLockController],
  providers: [
    AuthPolicyService, AuthPolicySecretGuard, ActivityService, LoginActions, LoginCounters, LoginMonitor,
    LoginEventsRepository, LoginEventsWriter, MailboxLocksRepository, MailboxLocks, SendingActivity, SendingVolumeRepository, OwnActivity,
  ],
  // Dashboard logins (src/sessions) are judged by the same rules and raise the same alerts.
  exports: [LoginMonitor, OwnActivity],
})
export class ActivityModule {}
