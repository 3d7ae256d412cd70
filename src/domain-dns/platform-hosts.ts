import type { Config } from '../config/config.js';

/** The platform's inbound MX hosts: what every hosted domain's MX and MTA-STS policy name. */
export function inboundMxHosts(config: Config): string[] {
  return config.MAIL_MX_HOSTS ?? [config.MAIL_HOSTNAME.toLowerCase()];
}
