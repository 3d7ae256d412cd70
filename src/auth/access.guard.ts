import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { Problem } from '../common/problem.js';
import { PLATFORM_ADMIN, PUBLIC, READ_ACTION, RESOURCE } from './access.decorators.js';
import type { Caller } from './caller.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// RFC 6750 §2.1: the scheme is case-insensitive, the token one b64token.
const BEARER = /^Bearer +([\w.~+/-]+=*) *$/i;

// Authentication (a bearer API key) and then the coarse access rules every route shares:
// platform-only routes, read-only keys, and scopes. Tenancy itself is enforced in repositories.
// Done here rather than through passport, whose strategy registry is global to the process: two
// apps in one process (tests) would authenticate through whichever registered last.
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const flag = (key: string) => this.reflector.getAllAndOverride(key, [context.getHandler(), context.getClass()]);
    if (flag(PUBLIC)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Caller }>();
    const caller = await this.authenticate(request);
    request.user = caller;
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

  private authenticate(request: FastifyRequest): Promise<Caller> {
    const header = request.headers.authorization;
    if (!header) throw new Problem(401, 'unauthenticated', 'Send an API key as "Authorization: Bearer pm_...".');
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new Problem(401, 'invalid_api_key', 'The API key is not valid.');
    return this.apiKeys.authenticate(token, request.ip, String(request.id));
  }
}
