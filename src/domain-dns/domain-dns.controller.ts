import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { DkimRotationService } from './dkim-rotation.service.js';
import { DnsCheckService } from './dns-check.service.js';
import { DkimRotateDto, DnsCheckQuery } from './domain-dns.dto.js';
import { DomainVerificationService } from './domain-verification.service.js';

@ApiTags('domains')
@ApiBearerAuth()
@Resource('domains')
@Controller('v1/domains')
export class DomainDnsController {
  constructor(
    private readonly verification: DomainVerificationService,
    private readonly checks: DnsCheckService,
    private readonly rotation: DkimRotationService,
  ) {}

  @Post(':id/verify')
  @HttpCode(200)
  verify(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.verification.verify(caller, id);
  }

  /** The stored check while it is fresh; else DNS is asked, but nothing is stored and no alert raised. */
  @Get(':id/dns-check')
  dnsCheck(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Query({ schema: DnsCheckQuery }) _query: DnsCheckQuery) {
    return this.checks.get(caller, id);
  }

  /** Asks DNS now and stores the result, raising alerts for records that broke: a write. */
  @Post(':id/dns-check')
  @HttpCode(200)
  refreshDnsCheck(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.checks.refresh(caller, id);
  }

  @Post(':id/dkim/rotate')
  @Idempotent()
  rotate(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: DkimRotateDto }) dto: DkimRotateDto) {
    return this.rotation.rotate(caller, id, dto.algorithm);
  }
}
