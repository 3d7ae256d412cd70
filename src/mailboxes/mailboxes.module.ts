import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { OutboundModule } from '../outbound/outbound.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { ResellersModule } from '../resellers/resellers.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TotpModule } from '../totp/totp.module.js';
import { MailboxImportService } from './mailbox-import.service.js';
import { MailboxPasswordsService } from './mailbox-passwords.service.js';
import { MailboxesController } from './mailboxes.controller.js';
import { MailboxesRepository } from './mailboxes.repository.js';
import { MailboxesService } from './mailboxes.service.js';

@Module({
  imports: [DomainsModule, ResellersModule, PasswordsModule, OutboundModule, TotpModule, SessionsModule],
  controllers: [MailboxesController],
  providers: [MailboxesService, MailboxesRepository, MailboxPasswordsService, MailboxImportService],
  // A mailbox owner's own routes (src/owners, issue 12 part C) change its mailbox through these.
  exports: [MailboxesService, MailboxPasswordsService],
})
export class MailboxesModule {}
