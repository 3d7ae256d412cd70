import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { ResellersModule } from '../resellers/resellers.module.js';
import { MailboxesController } from './mailboxes.controller.js';
import { MailboxesRepository } from './mailboxes.repository.js';
import { MailboxesService } from './mailboxes.service.js';

@Module({
  imports: [DomainsModule, ResellersModule],
  controllers: [MailboxesController],
  providers: [MailboxesService, MailboxesRepository, PasswordHasher],
})
export class MailboxesModule {}
