import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersCoreModule } from '../users/users-core.module.js';
import { Authenticator } from './authenticator.service.js';
import { passportProvider } from './passport.provider.js';

/** The app's passport instance, its strategies, and the one way to call it (Authenticator). */
@Module({
  imports: [ApiKeysModule, SessionsModule, UsersCoreModule],
  providers: [passportProvider, Authenticator],
  exports: [Authenticator],
})
export class PassportModule {}
