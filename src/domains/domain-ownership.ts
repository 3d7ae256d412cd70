import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { CONFIG, type Config } from '../config/config.js';
import { Problem } from '../common/problem.js';
import { deriveKey } from '../common/secrets.js';
import { DnsLookupError, DnsResolver } from '../dns/dns-resolver.js';
import type { Domain } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { VERIFICATION_RECORD_PREFIX } from './domains.dto.js';

const TOKEN_CHARS = 24;
const HOUR_MS = 3_600_000;

/** How a new domain of `resellerId` stands, decided before it is created. */
export interface OwnershipStart {
  token: string;
  /** Proven already: by the tenant's own verified parent domain, or by a published token. */
  verified: boolean;
  /** Another tenant's unverified domain of that name, which the published token takes over. */
  takeOver?: Domain;
}

/**
 * Proof of ownership: a TXT record `_postmaster-verify.<domain>` with `postmaster-verify=<token>`.
 * A name of its own (not the apex) keeps the apex TXT set, which every SPF check downloads,
 * small, and lets two tenants publish their tokens side by side while a name is contested.
 * The token is an HMAC of tenant and name, so a tenant can be told its token for a name another
 * tenant holds unverified, prove ownership first and then take the name over.
 */
@Injectable()
export class DomainOwnership {
  private readonly key: Buffer;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly dns: DnsResolver,
  ) {
    this.key = deriveKey(config, 'domain-verification');
  }

  token(resellerId: string | null, name: string): string {
    return createHmac('sha256', this.key).update(`${resellerId ?? 'platform'}\n${name}`).digest('base64url').slice(0, TOKEN_CHARS);
  }

  /** Whether the token is published now; DNS failures are 503 `dns_lookup_failed`, not "absent". */
  async isPublished(name: string, token: string): Promise<{ published: boolean; found: string[] }> {
    try {
      const found = (await this.dns.txt(`${VERIFICATION_RECORD_PREFIX}.${name}`)).filter((t) => t.startsWith('postmaster-verify='));
      return { published: found.includes(`postmaster-verify=${token}`), found };
    } catch (error) {
      if (error instanceof DnsLookupError) throw new Problem(503, 'dns_lookup_failed', `DNS could not be asked: ${error.message}.`);
      throw error;
    }
  }

  expiresAt(domain: Pick<Domain, 'createdAt'>): Date {
    return new Date(domain.createdAt.getTime() + this.config.DOMAIN_VERIFICATION_EXPIRY_HOURS * HOUR_MS);
  }

  /**
   * The rules for adding `name`: a name in use under another tenant is `domain_taken` once
   * verified; while unverified, it is `domain_pending_elsewhere` until the caller publishes its
   * own token (then the name is taken over) or the other domain expires. A subdomain of the
   * tenant's own verified domain needs no proof of its own; of another tenant's, it does.
   */
  async start(resellerId: string | null, name: string): Promise<OwnershipStart> {
    const token = this.token(resellerId, name);
    const holder = await this.prisma.domain.findUnique({ where: { name } });
    if (holder && (holder.resellerId === resellerId || holder.verifiedAt)) {
      throw Problem.conflict('domain_taken', `${name} is already in use.`);
    }
    if (holder) {
      if ((await this.isPublished(name, token)).published) return { token, verified: true, takeOver: holder };
      throw Problem.conflict('domain_pending_elsewhere',
        `Another account added ${name} without proving ownership yet. To take it over, publish TXT ` +
        `${VERIFICATION_RECORD_PREFIX}.${name} "postmaster-verify=${token}" and add the domain again; ` +
        `otherwise the name is released at ${this.expiresAt(holder).toISOString()}.`);
    }
    const labels = name.split('.');
    const parents = labels.slice(1).map((_, i) => labels.slice(i + 1).join('.')).filter((p) => p.includes('.'));
    const parent = await this.prisma.domain.findFirst({ where: { name: { in: parents }, resellerId, verifiedAt: { not: null } } });
    return { token, verified: parent !== null };
  }

  /** Removes the unverified domain being taken over (with whatever it held), unless it got verified meanwhile. */
  async release(tx: Tx, holder: Domain): Promise<void> {
    const { count } = await tx.domain.deleteMany({ where: { id: holder.id, verifiedAt: null } });
    if (count === 0) throw Problem.conflict('domain_taken', `${holder.name} is already in use.`);
  }
}
