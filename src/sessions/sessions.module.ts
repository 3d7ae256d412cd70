import { Module } from '@nestjs/common';
import { LoginChallenges } from './login-challenges.js';
import { LoginThrottle } from './login-throttle.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { TotpModule } from '../totp/totp.module.js';
import { TotpUserMfa, USER_MFA } from './user-mfa.js';

@Module({
  imports: [TotpModule],
  providers: [SessionsRepository, SessionsService, LoginThrottle, LoginChallenges, { provide: USER_MFA, useClass: TotpUserMfa }],
  exports: [SessionsService, LoginThrottle, LoginChallenges, USER_MFA],
})
export class SessionsModule {}
