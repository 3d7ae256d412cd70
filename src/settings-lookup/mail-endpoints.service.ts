import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { unicodeDomain } from '../common/names.js';
import type { Tenant } from '../common/tenant.js';
import { CONFIG, type Config } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type DnsRecord, discoveryDnsRecords } from './discovery-dns-records.js';
import type { ParsedEmail } from './email-address.js';
import { type HostnameColumns, mailHostnamesView } from './hostname-overrides.js';
import { type MailEndpointsPutDto, mailEndpointsView, toEndpoints, toRow } from './mail-endpoints.dto.js';
import { MailEndpointsRepository } from './mail-endpoints.repository.js';
import { type MailDomain, type MailEndpoints, defaultEndpoints, withHostnames } from './mail-endpoints.js';

/** What every settings format is rendered from for one address. */
export interface AddressSettings {
  endpoints: MailEndpoints;
  domain: MailDomain;
  /** The mailbox's own address: an address at a domain alias logs in at the target domain. */
  email: ParsedEmail;
}

/** A domain row as the discovery records need it. */
export type DomainHostnames = HostnameColumns & { id: string; name: string; resellerId: string | null };

/**
 * The one source of truth for what clients are told: the platform's endpoints (saved, or
 * MAIL_HOSTNAME until then) with the host names of the reseller and then the domain over them.
 */
@Injectable()
export class MailEndpointsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly repository: MailEndpointsRepository,
    private readonly audit: AuditService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** The HTTPS host serving the client documents: target of the autoconfig/autodiscover names. */
  get webHost(): string {
    return this.config.PUBLIC_HOSTNAME ?? this.config.MAIL_HOSTNAME;
  }

  async platform(): Promise<MailEndpoints> {
    const row = await this.repository.findPlatform();
    return row ? toEndpoints(row) : defaultEndpoints(this.config.MAIL_HOSTNAME);
  }

  async view() {
    const row = await this.repository.findPlatform();
    return mailEndpointsView(row ? toEndpoints(row) : defaultEndpoints(this.config.MAIL_HOSTNAME), row?.updatedAt ?? null);
  }

  async replace(caller: Caller, dto: MailEndpointsPutDto) {
    return this.prisma.$transaction(async (tx) => {
      const before = await this.repository.findPlatform(tx);
      const saved = await this.repository.savePlatform(tx, toRow(dto));
      const view = mailEndpointsView(toEndpoints(saved), saved.updatedAt);
      await this.audit.record(tx, caller, {
        action: 'mail_endpoints.update',
        resellerId: null,
        target: { id: 'platform' },
        before: before ? toEndpoints(before) : defaultEndpoints(this.config.MAIL_HOSTNAME),
        after: toEndpoints(saved),
      });
      return view;
    });
  }

  /**
   * The settings for an address of `tenant`'s domains, or null when the domain is not one of
   * them. With `tenant` null (the public formats) every well-formed address gets an answer of
   * the same shape, so those endpoints cannot be used to find out which domains are hosted here.
   */
  forAddress(email: ParsedEmail, tenant: null): Promise<AddressSettings>;
  forAddress(email: ParsedEmail, tenant: Tenant): Promise<AddressSettings | null>;
  async forAddress(email: ParsedEmail, tenant: Tenant | null): Promise<AddressSettings | null> {
    const [platform, hosted] = await Promise.all([this.platform(), this.repository.findHostedDomain(email.domain, tenant)]);
    if (!hosted) return tenant ? null : { endpoints: platform, domain: mailDomain(email.domain), email };
    return {
      endpoints: hostedEndpoints(platform, hosted.reseller, hosted),
      domain: mailDomain(hosted.name),
      email: { localPart: email.localPart, domain: hosted.name, address: `${email.localPart}@${hosted.name}` },
    };
  }

  /** For the formats fetched without an address (PACC, autoconfig's placeholder form). */
  async forDomain(name: string): Promise<Omit<AddressSettings, 'email'>> {
    const [platform, hosted] = await Promise.all([this.platform(), this.repository.findHostedDomain(name, null)]);
    if (!hosted) return { endpoints: platform, domain: mailDomain(name) };
    return { endpoints: hostedEndpoints(platform, hosted.reseller, hosted), domain: mailDomain(hosted.name) };
  }

  /** The DNS records each domain publishes for client discovery, by domain id. */
  async discoveryRecords(domains: DomainHostnames[]): Promise<Map<string, DnsRecord[]>> {
    const resellerIds = [...new Set(domains.flatMap((d) => (d.resellerId ? [d.resellerId] : [])))];
    const [platform, resellers] = await Promise.all([this.platform(), this.repository.resellerHostnames(resellerIds)]);
    return new Map(domains.map((domain) => {
      const endpoints = hostedEndpoints(platform, domain.resellerId ? resellers.get(domain.resellerId) : null, domain);
      return [domain.id, discoveryDnsRecords(endpoints, mailDomain(domain.name), this.webHost)];
    }));
  }
}

// The domain's host names win over its reseller's, which win over the platform's.
function hostedEndpoints(platform: MailEndpoints, reseller: HostnameColumns | null | undefined, domain: HostnameColumns): MailEndpoints {
  return withHostnames(platform, ...(reseller ? [mailHostnamesView(reseller)] : []), mailHostnamesView(domain));
}

// Clients show this as the provider's name. The domain's own name is the one value that is
// available alike for a hosted and an unhosted domain and tells nothing about the reseller behind it.
function mailDomain(name: string): MailDomain {
  return { name, displayName: unicodeDomain(name) };
}
