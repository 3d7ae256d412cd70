import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { normalizeDomain } from '../common/names.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { renderAutoconfig } from './autoconfig.renderer.js';
import { parseAutodiscoverRequest } from './autodiscover-request.parser.js';
import { autodiscoverV2 } from './autodiscover-v2.renderer.js';
import { renderAutodiscoverError, renderAutodiscoverResponse } from './autodiscover.renderer.js';
import type { ParsedEmail } from './email-address.js';
import { MailEndpointsService } from './mail-endpoints.service.js';
import { type ServerSettings, serverSettings } from './mail-endpoints.js';
import { renderMobileconfig } from './mobileconfig.renderer.js';
import { renderPacc } from './pacc.renderer.js';

// The names clients put in front of the user's domain to fetch a document (the Host header).
const AUTOCONFIG_LABEL = 'autoconfig.';
const PACC_LABEL = 'ua-auto-config.';

/**
 * Every settings format, each rendered from MailEndpointsService's one model. The public formats
 * answer any well-formed address alike, hosted here or not (see MailEndpointsService.forAddress).
 */
@Injectable()
export class SettingsLookupService {
  constructor(private readonly endpoints: MailEndpointsService) {}

  async settings(caller: Caller, email: ParsedEmail): Promise<ServerSettings> {
    const found = await this.endpoints.forAddress(email, Tenant.of(caller));
    if (!found) throw new Problem(404, 'domain_not_hosted', `No domain of yours is named ${email.domain}.`);
    return serverSettings(found.endpoints, found.email);
  }

  /** The public JSON of the lookup page. */
  async lookup(email: ParsedEmail) {
    const found = await this.endpoints.forAddress(email, null);
    return { email: found.email.address, ...serverSettings(found.endpoints, found.email) };
  }

  /** With no address, the domain is the one the client asked (`autoconfig.<domain>` or `<domain>`). */
  async autoconfig(email: ParsedEmail | undefined, host: string): Promise<string> {
    if (email) {
      const found = await this.endpoints.forAddress(email, null);
      return renderAutoconfig(found.endpoints, found.email, found.domain);
    }
    const { endpoints, domain } = await this.endpoints.forDomain(this.domainOfHost(host, AUTOCONFIG_LABEL));
    return renderAutoconfig(endpoints, null, domain);
  }

  async autodiscover(body: unknown, now = new Date()): Promise<string> {
    // Anything but an XML body (a JSON one, none at all) is as malformed as broken XML.
    const request = Buffer.isBuffer(body) ? parseAutodiscoverRequest(body) : null;
    if (!request?.ok) return renderAutodiscoverError(request?.errorCode ?? 600, now);
    const found = await this.endpoints.forAddress(request.email, null);
    return renderAutodiscoverResponse(found.endpoints, found.email);
  }

  autodiscoverV2(protocol: string | undefined) {
    return autodiscoverV2(protocol, this.endpoints.webHost);
  }

  async mobileconfig(email: ParsedEmail): Promise<string> {
    const found = await this.endpoints.forAddress(email, null);
    const profile = renderMobileconfig(found.endpoints, found.email, found.domain);
    if (profile === null) throw new Problem(404, 'profile_unavailable', 'The mail services offer no incoming or no outgoing server.');
    return profile;
  }

  async pacc(host: string): Promise<string> {
    const { endpoints, domain } = await this.endpoints.forDomain(this.domainOfHost(host, PACC_LABEL));
    const document = renderPacc(endpoints, domain);
    if (document === null) throw new Problem(404, 'pacc_unavailable', 'No mail service is offered with implicit TLS on its standard port.');
    return document;
  }

  // A Host header that names no domain (an IP address, a bare name) gets the platform's own.
  private domainOfHost(host: string, label: string): string {
    const name = host.toLowerCase().startsWith(label) ? host.slice(label.length) : host;
    const normalized = normalizeDomain(name);
    return 'name' in normalized ? normalized.name : this.endpoints.webHost;
  }
}
