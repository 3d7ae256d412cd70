import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { mapPage } from '../common/pagination.js';
import { type FieldError, Problem } from '../common/problem.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { hostnameColumns } from '../settings-lookup/hostname-overrides.js';
import { type ResellerCreateDto, type ResellerUpdateDto, resellerView } from './resellers.dto.js';
import { type ResellerUsage, ResellersRepository } from './resellers.repository.js';

@Injectable()
export class ResellersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly resellers: ResellersRepository,
    private readonly audit: AuditService,
  ) {}

  async create(caller: Caller, dto: ResellerCreateDto) {
    return this.prisma.$transaction(async (tx) => {
      const reseller = await this.resellers.create(tx, { ...dto, maxStorageBytes: toBigInt(dto.maxStorageBytes) });
      const view = resellerView(reseller);
      await this.audit.record(tx, caller, { action: 'reseller.create', resellerId: reseller.id, target: reseller, after: view });
      return view;
    });
  }

  async get(id: string) {
    const reseller = await this.resellers.find(id);
    if (!reseller) throw Problem.notFound('reseller');
    return resellerView(reseller);
  }

  async list(query: { limit: number; cursor?: string }) {
    return mapPage(await this.resellers.list(query), resellerView);
  }

  async update(caller: Caller, id: string, dto: ResellerUpdateDto) {
    return this.prisma.$transaction(async (tx) => {
      const locked = await this.resellers.lockWithUsage(tx, id);
      if (!locked) throw Problem.notFound('reseller');
      const errors = limitsBelowUsage(dto, locked.usage);
      if (errors.length) throw new Problem(409, 'limit_below_usage', 'A limit cannot be set below what is already in use.', errors);
      const { mailHostnames, ...limits } = dto;
      const updated = await this.resellers.update(tx, id, {
        ...limits, maxStorageBytes: toBigInt(dto.maxStorageBytes), ...hostnameColumns(mailHostnames),
      });
      const before = resellerView(locked.reseller);
      const after = resellerView(updated);
      await this.audit.record(tx, caller, { action: 'reseller.update', resellerId: id, target: updated, before, after });
      return after;
    });
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const locked = await this.resellers.lockWithUsage(tx, id);
      if (!locked) throw Problem.notFound('reseller');
      if (locked.usage.domains > 0) {
        throw Problem.conflict('reseller_not_empty', 'Delete or move the reseller\'s domains first.');
      }
      await this.resellers.delete(tx, id);
      await this.audit.record(tx, caller, { action: 'reseller.delete', resellerId: null, target: locked.reseller, before: resellerView(locked.reseller) });
    });
  }
}

function toBigInt<T extends number | null | undefined>(value: T) {
  return (typeof value === 'number' ? BigInt(value) : value) as T extends number ? bigint : Exclude<T, number>;
}

function limitsBelowUsage(dto: ResellerUpdateDto, usage: ResellerUsage): FieldError[] {
  const checks: [keyof ResellerUpdateDto, number | null | undefined, number][] = [
    ['maxDomains', dto.maxDomains, usage.domains],
    ['maxMailboxes', dto.maxMailboxes, usage.mailboxes],
    ['maxStorageBytes', dto.maxStorageBytes, Number(usage.storageBytes)],
  ];
  return checks
    .filter(([, limit, used]) => typeof limit === 'number' && limit < used)
    .map(([field, , used]) => ({ field, code: 'below_usage', message: `${used} already in use.` }));
}
