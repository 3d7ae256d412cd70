import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { hashApiKey, looksLikeApiKey, newApiKeySecret } from '../auth/api-key-secret.js';
import { type Caller } from '../auth/caller.js';
import { ipInRanges, rangeWithinRanges } from '../auth/ip-ranges.js';
import { mapPage } from '../common/pagination.js';
import { type FieldError, Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ResellersRepository } from '../resellers/resellers.repository.js';
import { resolveOwner } from '../resellers/resolve-owner.js';
import { type ApiKeyCreateDto, apiKeyView } from './api-keys.dto.js';
import { ApiKeysRepository } from './api-keys.repository.js';

// lastUsedAt is kept to the minute: writing it on every request would double the cost of a read.
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly keys: ApiKeysRepository,
    private readonly resellers: ResellersRepository,
    private readonly audit: AuditService,
  ) {}

  /** The caller for a bearer token, or a 401/403 problem saying why not. */
  async authenticate(token: string, ip: string, requestId: string): Promise<Caller> {
    const key = looksLikeApiKey(token) ? await this.keys.findBySecretHash(hashApiKey(token)) : null;
    if (!key) throw new Problem(401, 'invalid_api_key', 'The API key is not valid.');
    const now = new Date();
    if (key.expiresAt && key.expiresAt <= now) throw new Problem(401, 'api_key_expired', 'The API key has expired.');
    if (key.allowedIps.length > 0 && !ipInRanges(ip, key.allowedIps)) {
      throw Problem.forbidden('ip_not_allowed', 'The API key may not be used from this address.');
    }
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.keys.touch(key.id, now);
    }
    return {
      principal: { kind: 'apiKey', id: key.id }, resellerId: key.resellerId, readOnly: key.readOnly, scopes: key.scopes,
      allowedIps: key.allowedIps, expiresAt: key.expiresAt, ip, requestId,
    };
  }

  async create(caller: Caller, dto: ApiKeyCreateDto) {
    const resellerId = await resolveOwner(caller, dto.resellerId, this.resellers);
    // A key can hand out at most what it has itself.
    const scopes = dto.scopes.length === 0 ? caller.scopes : dto.scopes;
    if (caller.scopes.length > 0 && scopes.some((s) => !caller.scopes.includes(s))) {
      throw Problem.invalidField('scopes', 'scope_not_held', 'A key cannot grant scopes it does not have.');
    }
    const { allowedIps, expiresAt } = boundsWithin(caller, dto);
    const secret = newApiKeySecret();
    const key = await this.prisma.$transaction(async (tx) => {
      const created = await this.keys.create(tx, {
        name: dto.name, resellerId, prefix: secret.prefix, secretHash: secret.secretHash, scopes,
        readOnly: dto.readOnly, allowedIps, expiresAt,
      });
      await this.audit.record(tx, caller, { action: 'api_key.create', resellerId, target: created, after: apiKeyView(created) });
      return created;
    });
    return { ...apiKeyView(key), key: secret.key };
  }

  /** The bootstrap key, from the command line: full platform access. */
  async createPlatformKey(name: string) {
    const secret = newApiKeySecret();
    await this.prisma.$transaction(async (tx) => {
      const created = await this.keys.create(tx, {
        name, resellerId: null, prefix: secret.prefix, secretHash: secret.secretHash,
        scopes: [], readOnly: false, allowedIps: [], expiresAt: null,
      });
      await this.audit.record(tx, { system: 'cli' }, { action: 'api_key.create', resellerId: null, target: created, after: apiKeyView(created) });
    });
    return secret.key;
  }

  async get(caller: Caller, id: string) {
    const key = await this.keys.find(Tenant.of(caller), id);
    if (!key) throw Problem.notFound('API key');
    return apiKeyView(key);
  }

  async list(caller: Caller, query: { limit: number; cursor?: string }) {
    return mapPage(await this.keys.list(Tenant.of(caller), query), apiKeyView);
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const key = await this.keys.find(Tenant.of(caller), id);
    if (!key) throw Problem.notFound('API key');
    await this.prisma.$transaction(async (tx) => {
      await this.keys.delete(tx, id);
      await this.audit.record(tx, caller, { action: 'api_key.delete', resellerId: key.resellerId, target: key, before: apiKeyView(key) });
    });
  }
}

/**
 * A key can hand out at most the reach and lifetime it has itself: otherwise an IP-bound or
 * expiring key with api-keys:write would mint one that works from anywhere, for ever. Left out,
 * both are inherited from the creating key, as its scopes are.
 */
function boundsWithin(caller: Caller, dto: ApiKeyCreateDto): { allowedIps: string[]; expiresAt: Date | null } {
  const errors: FieldError[] = [];
  const allowedIps = dto.allowedIps.length === 0 ? caller.allowedIps : dto.allowedIps;
  if (caller.allowedIps.length > 0) {
    allowedIps.forEach((cidr, i) => {
      if (!rangeWithinRanges(cidr, caller.allowedIps)) {
        errors.push({ field: `allowedIps.${i}`, code: 'ip_range_not_within_creator', message: 'must lie within the IP ranges of the key creating it' });
      }
    });
  }
  const expiresAt = dto.expiresAt ?? caller.expiresAt;
  if (caller.expiresAt && expiresAt && expiresAt > caller.expiresAt) {
    errors.push({ field: 'expiresAt', code: 'expiry_after_creator', message: 'must not be later than the expiry of the key creating it' });
  }
  if (errors.length > 0) throw Problem.invalid(errors);
  return { allowedIps, expiresAt };
}
