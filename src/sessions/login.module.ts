import { Module } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module.js';
import { MailboxesModule } from '../mailboxes/mailboxes.module.js';
import { TotpModule } from '../totp/totp.module.js';
import { PassportModule } from '../auth/passport.module.js';
import { UsersCoreModule } from '../users/users-core.module.js';
import { AuthController } from './auth.controller.js';
import { LoginService } from './login.service.js';
import { MeController } from './me.controller.js';
import { MfaController } from './mfa.controller.js';
import { MfaService } from './mfa.service.js';
import { PasswordResetThrottle } from './password-reset-throttle.js';
import { PasswordResetService } from './password-reset.service.js';
import { SessionsModule } from './sessions.module.js';

/** People logging in: /v1/auth (login, logout, sessions, CSRF, password reset) and /v1/me. */
@Module({
  imports: [PassportModule, SessionsModule, UsersCoreModule, ActivityModule, TotpModule, MailboxesModule],
  controllers: [AuthController, MeController, MfaController],
  providers: [LoginService, PasswordResetService, PasswordResetThrottle, MfaService],
})
export class LoginModule {}
