import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { type Caller } from '../auth/caller.js';
import { type FieldError, Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type PasswordCheckResult, checkPassword } from './password-check.js';
import type { PasswordContext } from './password-context.js';
import { PasswordHasher } from './password-hasher.service.js';
import {
  PASSWORD_MAX_HISTORY_SIZE, PRESETS, type PasswordPolicy, type PasswordPolicyLayer, isAtLeastAsStrict, resolveEffectivePolicy,
} from './password-policy.js';
import { StrengthScorer } from './strength-scorer.service.js';
import { PLATFORM_DEFAULT, PLATFORM_FLOOR, PasswordPolicyRepository } from './password-policy.repository.js';

/** What every policy is at least as strict as, until a platform admin says otherwise. */
export const DEFAULT_FLOOR: PasswordPolicyLayer = { minLength: 12, blocklist: true, context: true };
export const DEFAULT_PLATFORM_POLICY: PasswordPolicyLayer = 'provider-default';

export interface PolicyOwner {
  resellerId: string | null;
  domainPolicy?: unknown;
}

export interface PasswordTarget extends PolicyOwner {
  context: PasswordContext;
  /** The mailbox whose current and previous hashes may not be reused. */
  mailbox?: { id: string; passwordHash: string };
}

@Injectable()
export class PasswordPolicyService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly policies: PasswordPolicyRepository,
    private readonly domains: DomainsRepository,
    private readonly hasher: PasswordHasher,
    private readonly scorer: StrengthScorer,
    private readonly audit: AuditService,
  ) {}

  /** The layers that apply to a tenant (and one of its domains), and the policy they make. */
  async layers(owner: PolicyOwner) {
    const floor = (await this.policies.setting(PLATFORM_FLOOR)) ?? DEFAULT_FLOOR;
    const platform = (await this.policies.setting(PLATFORM_DEFAULT)) ?? DEFAULT_PLATFORM_POLICY;
    const reseller = owner.resellerId ? await this.policies.resellerLayer(owner.resellerId) : null;
    const domain = (owner.domainPolicy as PasswordPolicyLayer | null | undefined) ?? null;
    const effective = resolveEffectivePolicy(floor, reseller ?? platform, domain);
    return { floor, platform, reseller, domain, effective };
  }

  async describe(caller: Caller, domainId?: string) {
    const domain = domainId ? await this.findDomain(caller, domainId) : null;
    return this.layers({ resellerId: domain?.resellerId ?? caller.resellerId, domainPolicy: domain?.passwordPolicy });
  }

  /** The dry run: the same rules (domain policy and address context) that account creation uses. */
  async check(caller: Caller, password: string, address?: { localPart: string; domain: string }, displayName?: string) {
    // An address outside the caller's domains gets the caller's own policy: the answer must not
    // tell which addresses or domains exist elsewhere.
    const domain = address ? await this.domains.findByName(Tenant.of(caller), address.domain) : null;
    const owner = domain ? { resellerId: domain.resellerId, domainPolicy: domain.passwordPolicy } : { resellerId: caller.resellerId };
    const { effective } = await this.layers(owner);
    return checkPassword({
      password, policy: effective, context: { localPart: address?.localPart, domain: address?.domain, displayName }, score: this.score,
    });
  }

  /** Throws 422 with every violated rule when `password` is not acceptable for `target`. */
  async assertAcceptable(password: string, target: PasswordTarget): Promise<void> {
    const { effective } = await this.layers(target);
    const result = await this.evaluate(password, effective, target);
    if (!result.ok) {
      const errors: FieldError[] = result.violations.map((v) => ({ field: 'password', code: v.code, message: v.message }));
      throw new Problem(422, 'password_rejected', 'The password does not meet the password policy.', errors);
    }
  }

  private async evaluate(password: string, policy: PasswordPolicy, target: PasswordTarget): Promise<PasswordCheckResult> {
    const previous = target.mailbox && policy.historySize > 0
      ? [target.mailbox.passwordHash, ...(await this.policies.history(target.mailbox.id, policy.historySize - 1))]
      : [];
    return checkPassword({
      password, policy, context: target.context, score: this.score,
      history: { hashes: previous, verify: (hash, candidate) => this.hasher.verify(hash, candidate) },
    });
  }

  private readonly score = (password: string, userInputs: readonly string[]) => this.scorer.score(password, userInputs);

  /** Keeps the replaced hash for the no-reuse rule (as many as any policy may ask for). */
  rememberReplacedHash(tx: Parameters<PasswordPolicyRepository['remember']>[0], mailboxId: string, hash: string) {
    return this.policies.remember(tx, mailboxId, hash, PASSWORD_MAX_HISTORY_SIZE);
  }

  async setTenantPolicy(caller: Caller, layer: PasswordPolicyLayer | null) {
    const { floor } = await this.layers({ resellerId: caller.resellerId });
    if (layer !== null) assertAtLeast(layer, floor, 'weaker_than_floor', 'the platform minimum');
    await this.prisma.$transaction(async (tx) => {
      if (caller.resellerId === null) await this.policies.saveSetting(tx, PLATFORM_DEFAULT, layer);
      else await this.policies.saveResellerLayer(tx, caller.resellerId, layer);
      await this.audit.record(tx, caller, {
        action: 'password_policy.update', resellerId: caller.resellerId,
        target: { id: caller.resellerId ?? 'platform' }, after: { policy: layer },
      });
    });
    return this.layers({ resellerId: caller.resellerId });
  }

  async setFloor(caller: Caller, floor: PasswordPolicyLayer) {
    await this.prisma.$transaction(async (tx) => {
      await this.policies.saveSetting(tx, PLATFORM_FLOOR, floor);
      await this.audit.record(tx, caller, { action: 'password_policy.floor_update', resellerId: null, target: { id: 'platform' }, after: { floor } });
    });
    return this.layers({ resellerId: null });
  }

  async setDomainPolicy(caller: Caller, domainId: string, layer: PasswordPolicyLayer | null) {
    const domain = await this.findDomain(caller, domainId);
    const { effective: tenantPolicy } = await this.layers({ resellerId: domain.resellerId });
    if (layer !== null) assertAtLeast(layer, tenantPolicy, 'weaker_than_reseller', "the reseller's policy");
    await this.prisma.$transaction(async (tx) => {
      await this.policies.saveDomainLayer(tx, domain.id, layer);
      await this.audit.record(tx, caller, {
        action: 'domain.password_policy_update', resellerId: domain.resellerId, target: domain,
        before: { policy: domain.passwordPolicy }, after: { policy: layer },
      });
    });
    return this.layers({ resellerId: domain.resellerId, domainPolicy: layer });
  }

  private async findDomain(caller: Caller, id: string) {
    const domain = await this.domains.find(Tenant.of(caller), id);
    if (!domain) throw Problem.notFound('domain');
    return domain;
  }
}

/** Refuses a layer whose own settings (a preset's, or the rules it names) are below `floor`. */
function assertAtLeast(layer: PasswordPolicyLayer, floor: PasswordPolicyLayer | PasswordPolicy, code: string, what: string) {
  const minimum = resolveEffectivePolicy(floor);
  const weaker = isAtLeastAsStrict({ ...minimum, ...(typeof layer === 'string' ? PRESETS[layer] : layer) }, minimum);
  if (weaker.length) {
    throw Problem.invalid(weaker.map((field) => ({ field: `policy.${field}`, code, message: `Weaker than ${what}.` })));
  }
}
