import { Inject, Injectable } from '@nestjs/common';
import { authPolicyClientSettings } from '../activity/auth-policy-settings.js';
import { CONFIG, type Config } from '../config/config.js';
import { parseDatabaseUrl } from './database-connection.js';
import { type MailServicesConfig, renderMailServicesConfig } from './mail-services-config.renderer.js';

@Injectable()
export class MailServicesConfigService {
  private readonly rendered: MailServicesConfig;

  // Rendered once at boot: the inputs are configuration, and a URL that cannot be written into
  // a configuration file stops the process instead of failing the request later.
  constructor(@Inject(CONFIG) config: Config) {
    const database = parseDatabaseUrl(config.MAIL_SERVICES_DATABASE_URL ?? config.DATABASE_URL);
    this.rendered = renderMailServicesConfig(database, config.MAIL_SERVICES_MAIL_ROOT, authPolicyClientSettings(config));
  }

  config(): MailServicesConfig {
    return this.rendered;
  }
}
