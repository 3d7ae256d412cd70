import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Problem } from '../common/problem.js';
import { PLATFORM_ADMIN, PUBLIC, READ_ACTION, RESOURCE } from './access.decorators.js';
import type { Caller } from './caller.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Authentication (passport, bearer API key) and then the coarse access rules every route shares:
// platform-only routes, read-only keys, and scopes. Tenancy itself is enforced in repositories.
@Injectable()
export class AccessGuard extends AuthGuard('bearer') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const flag = (key: string) => this.reflector.getAllAndOverride(key, [context.getHandler(), context.getClass()]);
    if (flag(PUBLIC)) return true;
    await super.canActivate(context);
    const request = context.switchToHttp().getRequest();
    const caller: Caller = request.user;
    const reads = READ_METHODS.has(request.method) || Boolean(flag(READ_ACTION));
    if (flag(PLATFORM_ADMIN) && caller.resellerId !== null) {
      throw Problem.forbidden('platform_admin_required', 'Only platform admins may do this.');
    }
    if (!reads && caller.readOnly) throw Problem.forbidden('read_only_key', 'This API key is read-only.');
    const resource: string | undefined = flag(RESOURCE);
    if (resource && caller.scopes.length > 0) {
      const allowed = caller.scopes.includes(`${resource}:write`) || (reads && caller.scopes.includes(`${resource}:read`));
      if (!allowed) throw Problem.forbidden('insufficient_scope', `This API key lacks the ${resource} scope.`);
    }
    return true;
  }

  handleRequest<T>(error: unknown, caller: T): T {
    if (error) throw error;
    if (!caller) throw new Problem(401, 'unauthenticated', 'Send an API key as "Authorization: Bearer pm_...".');
    return caller;
  }
}
