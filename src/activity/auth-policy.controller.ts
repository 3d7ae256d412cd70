import { Body, Controller, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/access.decorators.js';
import { AuthPolicyQuery, AuthPolicyRequest } from './auth-policy.dto.js';
import { AuthPolicySecretGuard } from './auth-policy-secret.guard.js';
import { AuthPolicyService } from './auth-policy.service.js';

/**
 * Dovecot's authentication-policy hook (auth_policy_server_url). Not an API-key route: Dovecot
 * authenticates with the shared header of auth_policy_server_api_header.
 */
@ApiTags('activity')
@Public()
@UseGuards(AuthPolicySecretGuard)
@Controller('v1/integrations/dovecot/auth-policy')
export class AuthPolicyController {
  constructor(private readonly policy: AuthPolicyService) {}

  @Post()
  @HttpCode(200)
  hook(@Query({ schema: AuthPolicyQuery }) { command }: AuthPolicyQuery, @Body({ schema: AuthPolicyRequest }) request: AuthPolicyRequest) {
    return command === 'allow' ? this.policy.allow(request) : this.policy.report(request);
  }
}
