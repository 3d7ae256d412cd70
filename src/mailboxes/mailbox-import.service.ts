import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { createClaimed } from '../common/name-claims.js';
import { parseAddress } from '../common/names.js';
import { Problem } from '../common/problem.js';
import { Tenant } from '../common/tenant.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { checkImportedHash } from '../passwords/hash-schemes.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ResellerLimits } from '../resellers/reseller-limits.service.js';
import type { ImportResult, MailboxImportRow } from './mailbox-import.dto.js';
import { mailboxView } from './mailboxes.dto.js';
import { MailboxesRepository } from './mailboxes.repository.js';

/**
 * Bulk import from another panel. Each row is its own transaction and gets its own result, and a
 * re-run is harmless: a row whose mailbox already exists with the same hash reports `exists`.
 */
@Injectable()
export class MailboxImportService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly mailboxes: MailboxesRepository,
    private readonly domains: DomainsRepository,
    private readonly limits: ResellerLimits,
    private readonly audit: AuditService,
  ) {}

  async import(caller: Caller, rows: MailboxImportRow[]) {
    const results: ImportResult[] = [];
    for (const [index, row] of rows.entries()) {
      try {
        results.push({ index, address: row.address, ...(await this.importOne(caller, row)) });
      } catch (error) {
        if (!(error instanceof Problem)) throw error;
        results.push({ index, address: row.address, status: 'failed', code: error.errors?.[0]?.code ?? error.code, message: error.detail });
      }
    }
    const count = (status: ImportResult['status']) => results.filter((r) => r.status === status).length;
    return { created: count('created'), exists: count('exists'), failed: count('failed'), results };
  }

  private async importOne(caller: Caller, row: MailboxImportRow): Promise<{ status: 'created' | 'exists'; id: string }> {
    const address = parseAddress(row.address);
    if ('code' in address) throw Problem.invalidField('address', address.code, address.message);
    const hash = checkImportedHash(row.passwordHash);
    if ('code' in hash) throw Problem.invalidField('passwordHash', hash.code, hash.message);
    const tenant = Tenant.of(caller);
    const domain = await this.domains.findByName(tenant, address.domain);
    if (!domain) throw Problem.invalidField('address', 'unknown_domain', 'The address is not in one of your domains.');
    const existing = await this.mailboxes.findByAddress(tenant, address.address);
    if (existing?.passwordHash === row.passwordHash) return { status: 'exists', id: existing.id };
    return this.prisma.$transaction(async (tx) => {
      await this.limits.reserve(tx, domain.resellerId, { mailboxes: 1, storageBytes: BigInt(row.quotaBytes) });
      const mailbox = await createClaimed(tx, address.address, 'mailboxId', 'address', () =>
        this.mailboxes.create(tx, {
          domainId: domain.id, localPart: address.localPart, address: address.address,
          displayName: row.displayName ?? null, passwordHash: row.passwordHash, quotaBytes: row.quotaBytes, enabled: row.enabled,
        }),
      );
      await this.audit.record(tx, caller, {
        action: 'mailbox.import', resellerId: domain.resellerId, target: mailbox, after: { ...mailboxView(mailbox), scheme: hash.scheme },
      });
      return { status: 'created' as const, id: mailbox.id };
    });
  }
}
