import { Module } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module.js';
import { AppPasswordsModule } from '../app-passwords/app-passwords.module.js';
import { MailboxesModule } from '../mailboxes/mailboxes.module.js';
import { SettingsLookupModule } from '../settings-lookup/settings-lookup.module.js';
import { OwnerController } from './owner.controller.js';
import { OwnerService } from './owner.service.js';

/** Mailbox owners' own routes and everyone's own logins (issue 12, part C). Their login is src/sessions. */
@Module({
  imports: [ActivityModule, AppPasswordsModule, MailboxesModule, SettingsLookupModule],
  controllers: [OwnerController],
  providers: [OwnerService],
})
export class OwnersModule {}
