import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ActivityModule } from './activity/activity.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { AliasesModule } from './aliases/aliases.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AppPasswordsModule } from './app-passwords/app-passwords.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ProblemFilter } from './common/problem.filter.js';
import type { Config } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { CoreModule } from './core.module.js';
import { DomainAliasesModule } from './domain-aliases/domain-aliases.module.js';
import { DomainDnsModule } from './domain-dns/domain-dns.module.js';
import { DomainsModule } from './domains/domains.module.js';
import { HealthModule } from './health/health.module.js';
import { LoginModule } from './sessions/login.module.js';
import { OwnersModule } from './owners/owners.module.js';
import { UsersModule } from './users/users.module.js';
import { MailServicesModule } from './mail-services/mail-services.module.js';
import { MailboxesModule } from './mailboxes/mailboxes.module.js';
import { OutboundModule } from './outbound/outbound.module.js';
import { PasswordsModule } from './passwords/passwords.module.js';
import { ResellersModule } from './resellers/resellers.module.js';
import { SettingsLookupModule } from './settings-lookup/settings-lookup.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { TotpModule } from './totp/totp.module.js';

@Module({
  imports: [
    CoreModule, AuthModule, AlertsModule, ActivityModule, HealthModule, ResellersModule, ApiKeysModule,
    DomainsModule, DomainDnsModule, DomainAliasesModule, MailboxesModule, AliasesModule, PasswordsModule,
    MailServicesModule, SettingsLookupModule, OutboundModule, UsersModule, LoginModule, WebhooksModule, TotpModule, AppPasswordsModule, OwnersModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
})
export class ApiModule {
  static forRoot(config: Config): DynamicModule {
    return { module: ApiModule, imports: [ConfigModule.forRoot(config)] };
  }
}
