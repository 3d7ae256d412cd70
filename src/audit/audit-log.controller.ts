import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Resource } from '../auth/access.decorators.js';
import { type Caller, CurrentCaller } from '../auth/caller.js';
import { uuidListQuery } from '../common/pagination.js';
import { Tenant } from '../common/tenant.js';
import { AuditLogRepository } from './audit-log.repository.js';

const AuditLogQuery = uuidListQuery.extend({
  action: z.string().max(100).optional(),
  targetId: z.uuid().optional(),
});

@ApiTags('audit-log')
@ApiBearerAuth()
@Resource('audit-log')
@Controller('v1/audit-log')
export class AuditLogController {
  constructor(private readonly auditLog: AuditLogRepository) {}

  @Get()
  list(@CurrentCaller() caller: Caller, @Query({ schema: AuditLogQuery }) query: z.infer<typeof AuditLogQuery>) {
    return this.auditLog.list(Tenant.of(caller), query);
  }
}
