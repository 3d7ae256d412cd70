import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller, UserRole } from '../auth/caller.js';
import { mapPage } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ResellersRepository } from '../resellers/resellers.repository.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { newOneTimePassword } from './one-time-password.js';
import { StaffPasswords } from './staff-passwords.service.js';
import type { UserCreateDto, UserUpdateDto } from './users.dto.js';
import { UsersRepository } from './users.repository.js';
import { isPlatformRole, userView } from './user-roles.js';

@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly users: UsersRepository,
    private readonly resellers: ResellersRepository,
    private readonly passwords: StaffPasswords,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** A new person with a one-time password, shown once in this answer; the first login must change it. */
  async create(caller: Caller, dto: UserCreateDto) {
    const resellerId = await this.tenantFor(caller, dto.role, dto.resellerId);
    if (await this.users.findByEmail(dto.email)) throw Problem.conflict('user_exists', 'A user with this e-mail address exists.');
    const password = newOneTimePassword();
    const passwordHash = await this.hasher.hash(password);
    const user = await this.prisma.$transaction(async (tx) => {
      const created = await this.users.create(tx, { email: dto.email, role: dto.role, resellerId, passwordHash, mustChangePassword: true });
      await this.audit.record(tx, caller, { action: 'user.create', resellerId, target: created, after: userView(created) });
      return created;
    });
    return { ...userView(user), oneTimePassword: password };
  }

  /** The bootstrap person, from the command line (no caller): a platform role, a one-time password. */
  async createFromCli(email: string, role: UserRole): Promise<string> {
    if (!isPlatformRole(role)) throw new Error('The command line creates platform users only (platform-admin, platform-support).');
    if (await this.users.findByEmail(email)) throw new Error(`A user ${email} exists already.`);
    const password = newOneTimePassword();
    const passwordHash = await this.hasher.hash(password);
    await this.prisma.$transaction(async (tx) => {
      const created = await this.users.create(tx, { email, role, resellerId: null, passwordHash, mustChangePassword: true });
      await this.audit.record(tx, { system: 'cli' }, { action: 'user.create', resellerId: null, target: created, after: userView(created) });
    });
    return password;
  }

  async list(caller: Caller, query: { limit: number; cursor?: string }) {
    return mapPage(await this.users.list(Tenant.of(caller), query), userView);
  }

  async get(caller: Caller, id: string) {
    return userView(await this.find(caller, id));
  }

  /** Disabling ends every session at once; a role change keeps the user's tenant kind. */
  async update(caller: Caller, id: string, dto: UserUpdateDto) {
    const user = await this.find(caller, id);
    if (dto.role !== undefined && dto.role !== user.role) await this.tenantFor(caller, dto.role, user.resellerId ?? undefined, user.resellerId);
    const disabledAt = dto.disabled === undefined ? user.disabledAt : dto.disabled ? (user.disabledAt ?? new Date()) : null;
    const updated = await this.prisma.$transaction(async (tx) => {
      const row = await this.users.update(tx, id, { role: dto.role ?? user.role, disabledAt });
      const ended = disabledAt ? await this.sessions.endAll(tx, id) : 0;
      await this.audit.record(tx, caller, { action: 'user.update', resellerId: user.resellerId, target: user, before: userView(user), after: { ...userView(row), sessionsEnded: ended } });
      return row;
    });
    return userView(updated);
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const user = await this.find(caller, id);
    if (caller.principal.kind === 'user' && caller.principal.id === id) throw Problem.conflict('cannot_delete_self', 'A user cannot delete itself.');
    await this.prisma.$transaction(async (tx) => {
      await this.users.delete(tx, id);
      await this.audit.record(tx, caller, { action: 'user.delete', resellerId: user.resellerId, target: user, before: userView(user) });
    });
  }

  /** Admin-initiated reset: a one-time password, shown once; every session of the user ends. */
  async resetPassword(caller: Caller, id: string) {
    const user = await this.find(caller, id);
    return { oneTimePassword: await this.passwords.resetToOneTime(caller, user) };
  }

  private async find(caller: Caller, id: string) {
    const user = await this.users.find(Tenant.of(caller), id);
    if (!user) throw Problem.notFound('user');
    return user;
  }

  /**
   * The tenant a user of `role` belongs to. A reseller hands out its own reseller roles only; the
   * platform names the reseller of a reseller role and none for a platform role. `fixed`: the
   * user's current tenant, which a role change cannot move.
   */
  private async tenantFor(caller: Caller, role: UserRole, requested: string | undefined, fixed?: string | null): Promise<string | null> {
    if (isPlatformRole(role)) {
      if (caller.resellerId !== null) throw Problem.forbidden('role_not_allowed', 'Only platform admins give platform roles.');
      if (requested !== undefined || (fixed !== undefined && fixed !== null)) {
        throw Problem.invalidField('resellerId', 'not_allowed', 'Platform roles belong to no reseller.');
      }
      return null;
    }
    if (caller.resellerId !== null) {
      if (requested !== undefined && requested !== caller.resellerId) throw Problem.invalidField('resellerId', 'not_allowed', 'Only platform admins choose the reseller.');
      return caller.resellerId;
    }
    if (requested === undefined) throw Problem.invalidField('resellerId', 'required', 'A reseller role needs the reseller it belongs to.');
    if (!(await this.resellers.find(requested))) throw Problem.invalidField('resellerId', 'unknown_reseller', 'There is no such reseller.');
    return requested;
  }
}
