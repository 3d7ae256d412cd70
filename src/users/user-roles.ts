import type { Caller, UserRole } from '../auth/caller.js';
import type { User } from '../generated/prisma/client.js';

// A role is only a shorthand for what an API key states itself: a tenant and whether it may
// write. Mapped onto the same Caller, a person passes the same repositories and 404/403 rules.
const READ_ONLY_ROLES: ReadonlySet<UserRole> = new Set(['platform-support', 'reseller-viewer']);
const PLATFORM_ROLES: ReadonlySet<UserRole> = new Set(['platform-admin', 'platform-support']);

export function isPlatformRole(role: UserRole): boolean {
  return PLATFORM_ROLES.has(role);
}

export function callerForUser(user: User, sessionId: string | null, ip: string, requestId: string): Caller {
  const role = user.role as UserRole;
  return {
    principal: { kind: 'user', id: user.id, email: user.email, role, sessionId, mustChangePassword: user.mustChangePassword },
    // The database keeps role and tenant consistent (users_tenant_check): platform roles have none.
    resellerId: user.resellerId,
    readOnly: READ_ONLY_ROLES.has(role),
    scopes: [],
    allowedIps: [],
    expiresAt: null,
    ip,
    requestId,
  };
}

export function userView(user: User) {
  return {
    id: user.id,
    email: user.email,
    role: user.role as UserRole,
    resellerId: user.resellerId,
    disabled: user.disabledAt !== null,
    mustChangePassword: user.mustChangePassword,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
