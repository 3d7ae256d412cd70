import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { Idempotent } from '../common/idempotency.interceptor.js';
import { idParam } from '../common/schemas.js';
import { DomainAliasCreateDto, DomainAliasListQuery, DomainAliasUpdateDto } from './domain-aliases.dto.js';
import { DomainAliasVerificationService } from './domain-alias-verification.service.js';
import { DomainAliasesService } from './domain-aliases.service.js';

@ApiTags('domain-aliases')
@ApiBearerAuth()
@Resource('domain-aliases')
@Controller('v1/domain-aliases')
export class DomainAliasesController {
  constructor(
    private readonly domainAliases: DomainAliasesService,
    private readonly verification: DomainAliasVerificationService,
  ) {}

  @Post()
  @Idempotent()
  create(@CurrentCaller() caller: Caller, @Body({ schema: DomainAliasCreateDto }) dto: DomainAliasCreateDto) {
    return this.domainAliases.create(caller, dto);
  }

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: DomainAliasListQuery }) query: DomainAliasListQuery) {
    return this.domainAliases.list(caller, query);
  }

  @Get(':id')
  get(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.domainAliases.get(caller, id);
  }

  @Patch(':id')
  update(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }, @Body({ schema: DomainAliasUpdateDto }) dto: DomainAliasUpdateDto) {
    return this.domainAliases.update(caller, id, dto);
  }

  /** Checks the alias's TXT token in live DNS: `pending_verification` → `active` (422 `verification_record_missing` until published). */
  @Post(':id/verify')
  @HttpCode(200)
  verify(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.verification.verify(caller, id);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentCaller() caller: Caller, @Param({ schema: idParam }) { id }: { id: string }) {
    return this.domainAliases.delete(caller, id);
  }
}
