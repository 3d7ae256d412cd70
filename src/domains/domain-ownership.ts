import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { CONFIG, type Config } from '../config/config.js';
import { Problem } from '../common/problem.js';
import { deriveKey } from '../common/secrets.js';
import { DnsLookupError, DnsResolver } from '../dns/dns-resolver.js';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { domainAliasView } from '../domain-aliases/domain-aliases.dto.js';
import type { Domain, DomainAlias } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { VERIFICATION_RECORD_PREFIX, domainView } from './domains.dto.js';

const TOKEN_CHARS = 24;
const HOUR_MS = 3_600_000;

/** A domain or a domain alias that holds a name: both are proven, and taken over, alike. */
export interface NameHolder {
  kind: 'domain' | 'domain_alias';
  id: string;
  name: string;
  /** The tenant (null: the platform); an alias belongs to its target domain's. */
  resellerId: string | null;
  verifiedAt: Date | null;
  /** When its time to prove ownership started (DOMAIN_VERIFICATION_EXPIRY_HOURS count from here). */
  pendingSince: Date;
  /** Its representation, for the audit log. */
  view: object;
}

/** How a new domain or domain alias of `resellerId` stands, decided before it is created. */
export interface OwnershipStart {
  token: string;
  /** Proven already: by the tenant's own verified parent domain, or by a published token. */
  verified: boolean;
  /** Another tenant's unverified domain or domain alias of that name, which the published token takes over. */
  takeOver?: NameHolder;
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
    private readonly audit: AuditService,
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

  /** 422 `verification_record_missing`, naming the record to publish and what DNS holds instead, unless it is published. */
  async assertPublished(name: string, token: string): Promise<void> {
    const { published, found } = await this.isPublished(name, token);
    if (published) return;
    const seen = found.length ? `found only ${found.map((t) => JSON.stringify(t)).join(', ')}` : 'found no verification record';
    throw new Problem(422, 'verification_record_missing',
      `Publish TXT ${VERIFICATION_RECORD_PREFIX}.${name} "postmaster-verify=${token}" (DNS ${seen}).`);
  }

  expiresAt(holder: Pick<NameHolder, 'pendingSince'>): Date {
    return new Date(holder.pendingSince.getTime() + this.config.DOMAIN_VERIFICATION_EXPIRY_HOURS * HOUR_MS);
  }

  /**
   * The rules for adding `name` as a domain or a domain alias (`field` names it in errors): a name
   * held by the same tenant, or verified by another, is `domain_taken`; held unverified by another
   * tenant, it is `domain_pending_elsewhere` until the caller publishes its own token (then the
   * name is taken over) or the holder expires. A free name is proven at once by a token published
   * beforehand, or by being a subdomain of the tenant's own verified domain (or domain alias); a
   * subdomain of another tenant's needs its own proof.
   */
  async start(resellerId: string | null, name: string, field: string): Promise<OwnershipStart> {
    const token = this.token(resellerId, name);
    const holder = await this.holderOf(name);
    if (holder && (holder.resellerId === resellerId || holder.verifiedAt)) {
      const message = `${name} is already in use.`;
      throw new Problem(409, 'domain_taken', message, [{ field, code: 'domain_taken', message }]);
    }
    if (holder) {
      if ((await this.isPublished(name, token)).published) return { token, verified: true, takeOver: holder };
      throw Problem.conflict('domain_pending_elsewhere',
        `Another account added ${name} without proving ownership yet. To take it over, publish TXT ` +
        `${VERIFICATION_RECORD_PREFIX}.${name} "postmaster-verify=${token}" and add it again; ` +
        `otherwise the name is released at ${this.expiresAt(holder).toISOString()}.`);
    }
    const labels = name.split('.');
    const parents = labels.slice(1).map((_, i) => labels.slice(i + 1).join('.')).filter((p) => p.includes('.'));
    const proven = { name: { in: parents }, verifiedAt: { not: null } };
    const parent = (await this.prisma.domain.findFirst({ where: { ...proven, resellerId }, select: { id: true } }))
      ?? (await this.prisma.domainAlias.findFirst({ where: { ...proven, targetDomain: { resellerId } }, select: { id: true } }));
    return { token, verified: parent !== null || (await this.publishedAlready(name, token)) };
  }

  // A token published before the name is added proves it at once. DNS trouble only means "not
  // yet": the name starts pending and the worker's sweep asks again.
  private async publishedAlready(name: string, token: string): Promise<boolean> {
    try {
      return (await this.isPublished(name, token)).published;
    } catch (error) {
      if (error instanceof Problem && error.code === 'dns_lookup_failed') return false;
      throw error;
    }
  }

  /**
   * Removes the unverified holder being taken over (a domain goes with whatever it held), audited
   * as a take-over by `caller`, unless it got verified meanwhile.
   */
  async release(tx: Tx, caller: Caller, holder: NameHolder): Promise<void> {
    const unverified = { id: holder.id, verifiedAt: null };
    const { count } = holder.kind === 'domain'
      ? await tx.domain.deleteMany({ where: unverified })
      : await tx.domainAlias.deleteMany({ where: unverified });
    if (count === 0) throw Problem.conflict('domain_taken', `${holder.name} is already in use.`);
    await this.audit.record(tx, caller, { action: `${holder.kind}.take_over`, resellerId: holder.resellerId, target: holder, before: holder.view });
  }

  /** Whoever holds `name` as a domain or a domain alias (one name_claims row says which). */
  private async holderOf(name: string): Promise<NameHolder | null> {
    const claim = await this.prisma.nameClaim.findUnique({
      where: { name },
      include: { domain: true, domainAlias: { include: { targetDomain: { select: { name: true, resellerId: true } } } } },
    });
    if (claim?.domain) {
      const { domain } = claim;
      return { kind: 'domain', ...pick(domain), resellerId: domain.resellerId, pendingSince: domain.createdAt, view: domainView(domain) };
    }
    if (claim?.domainAlias) {
      const alias = claim.domainAlias;
      return { kind: 'domain_alias', ...pick(alias), resellerId: alias.targetDomain.resellerId, pendingSince: alias.pendingSince, view: domainAliasView(alias) };
    }
    return null;
  }
}

function pick(row: Pick<Domain | DomainAlias, 'id' | 'name' | 'verifiedAt'>) {
  return { id: row.id, name: row.name, verifiedAt: row.verifiedAt };
}
