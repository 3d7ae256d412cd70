import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PlatformAdminOnly, ReadAction, Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { idParam } from '../common/schemas.js';
import { FloorSetDto, PolicyCheckDto, PolicyQuery, PolicySetDto } from './password-policy.dto.js';
import { PasswordPolicyService } from './password-policy.service.js';

@ApiTags('password-policy')
@ApiBearerAuth()
@Resource('password-policy')
@Controller('v1')
export class PasswordPolicyController {
  constructor(private readonly policies: PasswordPolicyService) {}

  @Get('password-policy')
  describe(@CurrentCaller() caller: Caller, @Query({ schema: PolicyQuery }) query: { domainId?: string }) {
    return this.policies.describe(caller, query.domainId);
  }

  @Put('password-policy')
  set(@CurrentCaller() caller: Caller, @Body({ schema: PolicySetDto }) dto: PolicySetDto) {
    return this.policies.setTenantPolicy(caller, dto.policy);
  }

  @Put('password-policy/floor')
  @PlatformAdminOnly()
  setFloor(@CurrentCaller() caller: Caller, @Body({ schema: FloorSetDto }) dto: FloorSetDto) {
    return this.policies.setFloor(caller, dto.floor);
  }

  @Post('password-policy/check')
  @ReadAction()
  @HttpCode(200)
  check(@CurrentCaller() caller: Caller, @Body({ schema: PolicyCheckDto }) dto: PolicyCheckDto) {
    return this.policies.check(caller, dto.password, dto.address, dto.displayName);
  }

  @Put('domains/:id/password-policy')
  @Resource('domains')
  setForDomain(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: PolicySetDto }) dto: PolicySetDto) {
    return this.policies.setDomainPolicy(caller, id, dto.policy);
  }
}
