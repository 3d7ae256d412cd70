import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';

/** Changes made outside any request: the command line, scheduled jobs. */
export interface SystemActor {
  system: 'cli' | 'worker' | 'monitor';
}

export interface AuditEvent {
  /** `<target type>.<verb>`, e.g. `mailbox.update`. */
  action: string;
  /** The tenant the target belongs to; null for the platform's own objects. */
  resellerId: string | null;
  target: { id: string };
  before?: object;
  after?: object;
}

// Secrets never reach the audit log, whatever view a caller passes in.
const SECRET_FIELD = /password|secret|hash|token|^key$/i;

function redact(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined) return undefined;
  return JSON.parse(
    JSON.stringify(value, (field, v) => (SECRET_FIELD.test(field) ? '[redacted]' : typeof v === 'bigint' ? Number(v) : v)),
  );
}

@Injectable()
export class AuditService {
  /** Written in the same transaction as the change, so there is no change without its entry. */
  async record(tx: Tx, actor: Caller | SystemActor, event: AuditEvent): Promise<void> {
    const caller = 'system' in actor ? undefined : actor;
    await tx.auditEntry.create({
      data: {
        // A person acts as itself (issue 12), never as "some session": actor_id is the user id.
        actorType: caller ? (caller.principal.kind === 'apiKey' ? 'api_key' : caller.principal.kind) : (actor as SystemActor).system,
        actorId: caller?.principal.id,
        resellerId: event.resellerId,
        action: event.action,
        targetType: event.action.split('.')[0],
        targetId: event.target.id,
        before: redact(event.before),
        after: redact(event.after),
        requestId: caller?.requestId,
        ip: caller?.ip,
      },
    });
  }
}
