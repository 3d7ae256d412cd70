import { randomUUID } from 'node:crypto';
import { WebhookDeliveryRepository } from '../../src/webhooks/delivery/webhook-delivery.repository.js';
import { TestApi } from '../support/api.js';

// The worker claims and records concurrent attempts in one statement each: a batch must mean
// exactly what the same calls one after the other would (claims fenced, one failure run per endpoint).
const LEASE_MS = 60_000;

describe('webhook delivery statements, batched', () => {
  let api: TestApi;
  let repository: WebhookDeliveryRepository;

  beforeAll(async () => {
    api = await TestApi.start();
    repository = new WebhookDeliveryRepository(api.db);
  });
  afterAll(async () => {
    await api?.close();
  });

  async function endpointWithDeliveries(count: number, failingSince: Date | null) {
    const endpoint = await api.db.webhookEndpoint.create({ data: { url: 'http://127.0.0.1:9/hook', events: [], secret: Buffer.alloc(32), failingSince } });
    const ids = [];
    for (let i = 0; i < count; i++) {
      const delivery = await api.db.webhookDelivery.create({ data: {
        endpointId: endpoint.id, eventId: randomUUID(), eventType: 'mailbox.created', body: '{}', nextAttemptAt: new Date(Date.now() - 1000),
        expiresAt: new Date(Date.now() + 3_600_000),
      } });
      ids.push(delivery.id);
    }
    return { endpointId: endpoint.id, ids };
  }

  it('one delivery claimed twice in one batch is claimed once, and a missing one not at all', async () => {
    const { ids: [id] } = await endpointWithDeliveries(1, null);
    const claims = await Promise.all([repository.claim(id, LEASE_MS), repository.claim(id, LEASE_MS), repository.claim(randomUUID(), LEASE_MS)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(claims[0]).toMatchObject({ id, attempts: 1, body: '{}' });
    expect(claims[2]).toBeNull();
    expect(await api.db.webhookDelivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'delivering', attempts: 1 });
  });

  it('records a batch per delivery, ends a failure run when any attempt of the batch succeeded, and skips a stale claim', async () => {
    const { endpointId, ids } = await endpointWithDeliveries(3, new Date(Date.now() - 3_600_000));
    const [ok, bad, stale] = await Promise.all(ids.map((id) => repository.claim(id, LEASE_MS)));
    const outcome = (status: number) => ({ status, error: null, retryAfter: null, excerpt: 'x', latencyMs: 3 });
    const results = await Promise.all([
      repository.record(ok!, outcome(204), { status: 'delivered', nextAttemptAt: null, lastError: null }),
      repository.record(bad!, outcome(500), { status: 'pending', nextAttemptAt: new Date(Date.now() + 60_000), lastError: 'HTTP 500' }),
      repository.record({ ...stale!, attempts: stale!.attempts + 1 }, outcome(204), { status: 'delivered', nextAttemptAt: null, lastError: null }),
    ]);
    expect(results.map((r) => r.recorded)).toEqual([true, true, false]);
    const rows = await api.db.webhookDelivery.findMany({ where: { endpointId }, include: { log: true } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(ok!.id)).toMatchObject({ status: 'delivered', lastError: null, log: [expect.objectContaining({ statusCode: 204, latencyMs: 3 })] });
    expect(byId.get(bad!.id)).toMatchObject({ status: 'pending', lastError: 'HTTP 500', log: [expect.objectContaining({ statusCode: 500 })] });
    expect(byId.get(stale!.id)).toMatchObject({ status: 'delivering', attempts: 1, log: [] });
    expect((await api.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).failingSince).toBeNull();
  });

  it('starts a failure run when every attempt of the batch failed, and reports when it began', async () => {
    const { endpointId, ids } = await endpointWithDeliveries(2, null);
    const claims = await Promise.all(ids.map((id) => repository.claim(id, LEASE_MS)));
    const results = await Promise.all(claims.map((claim) => repository.record(claim!, { status: null, error: 'ECONNREFUSED', retryAfter: null, excerpt: null, latencyMs: 1 },
      { status: 'pending', nextAttemptAt: new Date(Date.now() + 60_000), lastError: 'ECONNREFUSED' })));
    const { failingSince } = await api.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
    expect(failingSince).toBeInstanceOf(Date);
    expect(results).toEqual([{ recorded: true, failingSince }, { recorded: true, failingSince }]);
    expect(await api.db.webhookAttempt.count({ where: { deliveryId: { in: ids }, error: 'ECONNREFUSED' } })).toBe(2);
  });
});
