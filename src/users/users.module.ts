import { Module } from '@nestjs/common';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { ResellersModule } from '../resellers/resellers.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersController } from './users.controller.js';
import { UsersCoreModule } from './users-core.module.js';
import { UsersService } from './users.service.js';

/** Staff accounts (/v1/users): roles on the existing tenancy (user-roles.ts). */
@Module({
  imports: [UsersCoreModule, SessionsModule, PasswordsModule, ResellersModule],
  controllers: [UsersController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
