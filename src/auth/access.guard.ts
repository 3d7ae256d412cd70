import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Problem } from '../common/problem.js';
import { SESSION_COOKIE } from '../sessions/session-tokens.js';
import {
  MAILBOX_OWNER_ROUTE, MFA_ENROLMENT_ALLOWED, OWN_ACCOUNT, PASSWORD_CHANGE_ALLOWED, PLATFORM_ADMIN, PUBLIC, READ_ACTION, RESOURCE,
} from './access.decorators.js';
import { Authenticator } from './authenticator.service.js';
import type { Caller } from './caller.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Authentication (through this app's passport: a bearer API key, or a person's session cookie)
// and then the coarse access rules every route shares: platform-only routes, read-only callers,
// scopes. Tenancy itself is enforced in repositories. A request with an Authorization header is
// judged by it alone: a key never falls back to a cookie that happens to come along.
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const flag = (key: string) => this.reflector.getAllAndOverride(key, [context.getHandler(), context.getClass()]);
    if (flag(PUBLIC)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Caller }>();
    const caller = await this.authenticate(request);
    request.user = caller;
    // A mailbox owner sees its own mailbox and nothing else: to it, every other route does not exist.
    if (caller.principal.kind === 'mailbox' && !flag(MAILBOX_OWNER_ROUTE)) throw Problem.notFound();
    const person = caller.principal.kind === 'user' ? caller.principal : null;
    if (person?.mustChangePassword && !flag(PASSWORD_CHANGE_ALLOWED)) {
      throw Problem.forbidden('password_change_required', 'Change the one-time password first: POST /v1/me/password.');
    }
    if (person?.mustEnrolMfa && !flag(MFA_ENROLMENT_ALLOWED)) {
      throw Problem.forbidden('mfa_enrolment_required', 'TOTP is required for staff: enrol first with POST /v1/me/mfa/totp.');
    }
    const reads = READ_METHODS.has(request.method) || Boolean(flag(READ_ACTION)) || Boolean(flag(OWN_ACCOUNT));
    if (flag(PLATFORM_ADMIN) && caller.resellerId !== null) {
      throw Problem.forbidden('platform_admin_required', 'Only platform admins may do this.');
    }
    if (!reads && caller.readOnly) {
      throw person
        ? Problem.forbidden('read_only_role', `The ${person.role} role may only read.`)
        : Problem.forbidden('read_only_key', 'This API key is read-only.');
    }
    const resource: string | undefined = flag(RESOURCE);
    if (resource && caller.scopes.length > 0) {
      const allowed = caller.scopes.includes(`${resource}:write`) || (reads && caller.scopes.includes(`${resource}:read`));
      if (!allowed) throw Problem.forbidden('insufficient_scope', `This API key lacks the ${resource} scope.`);
    }
    return true;
  }

  private async authenticate(request: FastifyRequest): Promise<Caller> {
    const strategy = request.headers.authorization ? 'api-key' : request.cookies?.[SESSION_COOKIE] ? 'session' : null;
    if (!strategy) throw new Problem(401, 'unauthenticated', 'Send an API key as "Authorization: Bearer pm_...".');
    const { user } = await this.authenticator.authenticate<Caller>(strategy, request);
    if (!user) throw new Problem(401, 'unauthenticated', 'Send an API key as "Authorization: Bearer pm_...".');
    return user;
  }
}
