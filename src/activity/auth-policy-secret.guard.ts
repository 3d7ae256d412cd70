import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthPolicyService } from './auth-policy.service.js';

/** The shared-header check runs before the body is read, so an unauthenticated caller learns nothing. */
@Injectable()
export class AuthPolicySecretGuard implements CanActivate {
  constructor(private readonly policy: AuthPolicyService) {}

  canActivate(context: ExecutionContext): boolean {
    this.policy.authenticate(context.switchToHttp().getRequest().headers['x-postmaster-auth-policy']);
    return true;
  }
}
