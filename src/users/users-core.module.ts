import { Module } from '@nestjs/common';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { OwnerMailboxesRepository } from '../owners/owner-mailboxes.repository.js';
import { LoginCredentials } from '../sessions/login-credentials.service.js';
import { StaffPasswords } from './staff-passwords.service.js';
import { UsersRepository } from './users.repository.js';

/** What authentication and password changes need of users, without their routes (src/users/users.module.ts). */
@Module({
  imports: [PasswordsModule, SessionsModule],
  // Mailbox owners log in at the same route (issue 12, part C): their lookup and the combined check.
  providers: [UsersRepository, StaffPasswords, OwnerMailboxesRepository, LoginCredentials],
  exports: [UsersRepository, StaffPasswords, OwnerMailboxesRepository, LoginCredentials],
})
export class UsersCoreModule {}
