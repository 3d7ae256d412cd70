import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../../prisma/prisma.service.js';
import type { HttpOutcome } from './webhook-http.js';
import { CLAIM_BATCH, RECORD_BATCH } from './webhook-delivery.sql.js';
import { StatementBatcher } from './statement-batcher.js';

/** A delivery claimed for one attempt, with what the attempt needs of its endpoint. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  eventType: string;
  body: string;
  attempts: number;
  expiresAt: Date;
  endpointId: string;
  resellerId: string | null;
  url: string;
  enabled: boolean;
  secret: Uint8Array;
  previousSecret: Uint8Array | null;
  previousSecretUntil: Date | null;
}

export interface Recorded {
  recorded: boolean;
  failingSince: Date | null;
}

// At most this many attempts share one statement (the worker's concurrency rarely exceeds it).
const MAX_BATCH = 100;

export interface NextState {
  status: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: Date | null;
  lastError: string | null;
}

/** The delivery worker's PostgreSQL: every change of a delivery is fenced by its claim. */
@Injectable()
export class WebhookDeliveryRepository {
  private readonly claims = new StatementBatcher((inputs: { id: string; leaseMs: number }[]) => this.claimBatch(inputs), MAX_BATCH);
  private readonly records = new StatementBatcher((inputs: { claim: ClaimedDelivery; outcome: HttpOutcome | null; next: NextState }[]) => this.recordBatch(inputs), MAX_BATCH);

  constructor(private readonly prisma: PrismaService) {}

  /** Claims one delivery for an attempt (batched with the concurrent attempts: CLAIM_BATCH). */
  claim(id: string, leaseMs: number): Promise<ClaimedDelivery | null> {
    return this.claims.submit({ id, leaseMs });
  }

  state(id: string) {
    return this.prisma.webhookDelivery.findUnique({ where: { id }, select: { status: true, nextAttemptAt: true, leaseUntil: true } });
  }

  /** Due (or abandoned by a dead worker) for longer than `graceMs`, keyset-paged by id. */
  overdue(afterId: string, limit: number, graceMs: number): Promise<{ id: string }[]> {
    return this.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM webhook_deliveries
      WHERE ((status = 'pending' AND next_attempt_at <= now() - ${graceMs} * interval '1 millisecond')
          OR (status = 'delivering' AND lease_until < now() - ${graceMs} * interval '1 millisecond'))
        AND id > ${afterId}::uuid
      ORDER BY id LIMIT ${limit}`;
  }

  /**
   * The attempt's log line, the delivery's next state and the endpoint's failure run (batched
   * with the concurrent attempts: RECORD_BATCH). `recorded` false when another worker took the
   * delivery over, and then nothing is written.
   */
  record(claim: ClaimedDelivery, outcome: HttpOutcome | null, next: NextState): Promise<Recorded> {
    return this.records.submit({ claim, outcome, next });
  }

  private async claimBatch(inputs: { id: string; leaseMs: number }[]): Promise<(ClaimedDelivery | null)[]> {
    const { rows } = await this.prisma.pool.query<ClaimedDelivery>({ ...CLAIM_BATCH, values: [inputs.map((c) => c.id), inputs.map((c) => c.leaseMs)] });
    // A delivery asked for twice in one batch is claimed once: the second caller lost, as it would one statement later.
    const claimed = new Map(rows.map((row) => [row.id, row]));
    return inputs.map(({ id }) => {
      const row = claimed.get(id) ?? null;
      claimed.delete(id);
      return row;
    });
  }

  private async recordBatch(inputs: { claim: ClaimedDelivery; outcome: HttpOutcome | null; next: NextState }[]): Promise<Recorded[]> {
    const column = <T>(pick: (input: (typeof inputs)[number]) => T) => inputs.map(pick);
    const { rows } = await this.prisma.pool.query<{ id: string; failingSince: Date | null }>({
      ...RECORD_BATCH,
      values: [
        column((r) => r.claim.id), column((r) => r.claim.attempts), column((r) => r.next.status), column((r) => r.next.nextAttemptAt),
        column((r) => r.next.lastError), column((r) => r.outcome?.status ?? null), column((r) => r.outcome?.error ?? null),
        column((r) => r.outcome?.latencyMs ?? 0), column((r) => r.outcome?.excerpt ?? null), column((r) => r.outcome !== null),
      ],
    });
    const recorded = new Map(rows.map((row) => [row.id, row.failingSince]));
    return inputs.map(({ claim }) => {
      const failingSince = recorded.get(claim.id);
      recorded.delete(claim.id);
      return failingSince === undefined ? { recorded: false, failingSince: null } : { recorded: true, failingSince };
    });
  }

  /** Disabled now (true), or already by someone else (false). */
  async disableEndpoint(tx: Tx, endpointId: string, reason: string): Promise<boolean> {
    const { count } = await tx.webhookEndpoint.updateMany({ where: { id: endpointId, enabled: true }, data: { enabled: false, disabledReason: reason } });
    return count === 1;
  }
}
