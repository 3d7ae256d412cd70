import { Inject, Injectable } from '@nestjs/common';
import { authPolicyClientSettings } from '../activity/auth-policy-settings.js';
import { MAIL_SERVICES_SECRETS_SCOPE } from '../api-keys/api-keys.dto.js';
import type { Caller } from '../auth/caller.js';
import { CONFIG, type Config } from '../config/config.js';
import { parseDatabaseUrl } from './database-connection.js';
import { type MailServicesConfig, renderMailServicesConfig } from './mail-services-config.renderer.js';

/** Stands in for each secret a caller may not see, so the configuration keeps its shape. */
export const REDACTED_SECRET = `<redacted: needs ${MAIL_SERVICES_SECRETS_SCOPE}>`;

@Injectable()
export class MailServicesConfigService {
  private readonly rendered: MailServicesConfig;
  private readonly redacted: MailServicesConfig;

  // Rendered once at boot: the inputs are configuration, and a URL that cannot be written into
  // a configuration file stops the process instead of failing the request later.
  constructor(@Inject(CONFIG) config: Config) {
    const database = parseDatabaseUrl(config.MAIL_SERVICES_DATABASE_URL ?? config.DATABASE_URL);
    const authPolicy = authPolicyClientSettings(config);
    const root = config.MAIL_SERVICES_MAIL_ROOT;
    // A wildcard listen address is reached on loopback by a Postfix on the same machine.
    const policy = { host: ['0.0.0.0', '::'].includes(config.POLICY_HOST) ? '127.0.0.1' : config.POLICY_HOST, port: config.POLICY_PORT };
    this.rendered = renderMailServicesConfig(database, root, authPolicy, policy);
    // Dovecot's documentation calls the hash nonce a secret as well.
    this.redacted = renderMailServicesConfig(
      { ...database, password: database.password && REDACTED_SECRET },
      root,
      { ...authPolicy, secret: REDACTED_SECRET, hashNonce: REDACTED_SECRET },
      policy,
    );
  }

  config(caller: Caller): MailServicesConfig {
    return this.maySeeSecrets(caller) ? this.rendered : this.redacted;
  }

  // A read-only key is for looking, and the database password gives write access to every
  // mailbox: secrets go only to a writable key holding every scope or the secrets scope.
  private maySeeSecrets(caller: Caller): boolean {
    return !caller.readOnly && (caller.scopes.length === 0 || caller.scopes.includes(MAIL_SERVICES_SECRETS_SCOPE));
  }
}
