import { SUBSCRIBABLE_EVENTS } from '../../src/webhooks/webhook-event-types.js';
import { type Client, TestApi } from '../support/api.js';

// The /v1/webhooks resource: what is accepted, what is stored (the secret sealed, shown once),
// what is refused with which code, and the audit trail.
describe('webhook endpoints', () => {
  let api: TestApi;
  let tenant: { id: string; client: Client };

  beforeAll(async () => {
    api = await TestApi.start();
    tenant = await api.reseller({}, 'Hooks');
  });
  afterAll(() => api?.close());

  it('creates an endpoint and shows its secret once; the database holds it sealed', async () => {
    const res = await tenant.client.post('/v1/webhooks', { url: 'https://93.184.216.34/hooks?x=1', events: ['mailbox.deleted', 'alert.raised', 'alert.raised'], description: 'CRM' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      resellerId: tenant.id, url: 'https://93.184.216.34/hooks?x=1', events: ['alert.raised', 'mailbox.deleted'], description: 'CRM',
      enabled: true, disabledReason: null, failingSince: null, previousSecretValidUntil: null,
    });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const row = await api.db.webhookEndpoint.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(Buffer.from(row.secret).toString('latin1')).not.toContain(res.body.secret.slice(6));
    expect(row).toMatchObject({ resellerId: tenant.id, events: ['alert.raised', 'mailbox.deleted'], enabled: true });
    const get = await tenant.client.get(`/v1/webhooks/${res.body.id}`);
    expect(get.status).toBe(200);
    expect(get.body.secret).toBeUndefined();
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { action: 'webhook.create', targetId: res.body.id } });
    expect(JSON.stringify(audit.after)).not.toContain(res.body.secret);
  });

  it.each([
    [{ url: 'ftp://example.org/' }, 'url', 'invalid_url'],
    [{ url: 'https://user:pw@93.184.216.34/' }, 'url', 'invalid_url'],
    [{ url: 'not a url' }, 'url', 'invalid_url'],
    [{ url: 'http://93.184.216.34/hook' }, 'url', 'insecure_url'],
    [{ url: 'https://93.184.216.34/', events: ['mailbox.exploded'] }, 'events.0', 'invalid_value'],
    [{ url: 'https://93.184.216.34/', secret: 'whsec_x' }, 'secret', 'unknown_field'],
  ])('refuses %j with 422 (%s: %s) and writes nothing', async (body, field, code) => {
    const before = await api.db.webhookEndpoint.count();
    const res = await tenant.client.post('/v1/webhooks', body);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
    expect(await api.db.webhookEndpoint.count()).toBe(before);
  });

  it('updates, lists (paginated) and deletes; every change audited', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await tenant.client.post('/v1/webhooks', { url: `https://93.184.216.34/${i}` })).body.id);
    const patched = await tenant.client.patch(`/v1/webhooks/${ids[0]}`, { events: SUBSCRIBABLE_EVENTS.slice(0, 2), enabled: false, description: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, description: null, events: [...SUBSCRIBABLE_EVENTS.slice(0, 2)].sort() });
    expect(await api.db.webhookEndpoint.findUniqueOrThrow({ where: { id: ids[0] } })).toMatchObject({ enabled: false });
    const first = await tenant.client.get('/v1/webhooks?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await tenant.client.get(`/v1/webhooks?limit=2&cursor=${first.body.nextCursor}`);
    const all = [...first.body.items, ...second.body.items].map((e: { id: string }) => e.id);
    expect(new Set(all).size).toBe(await api.db.webhookEndpoint.count({ where: { resellerId: tenant.id } }));
    expect((await tenant.client.delete(`/v1/webhooks/${ids[1]}`)).status).toBe(204);
    expect(await api.db.webhookEndpoint.findUnique({ where: { id: ids[1] } })).toBeNull();
    expect((await tenant.client.get(`/v1/webhooks/${ids[1]}`)).status).toBe(404);
    const actions = (await api.db.auditEntry.findMany({ where: { targetId: { in: ids } } })).map((a) => a.action).sort();
    expect(actions).toEqual(['webhook.create', 'webhook.create', 'webhook.create', 'webhook.delete', 'webhook.update']);
  });

  it('rotation: a new secret once, the old one valid 24 h more; redelivery of an unfinished delivery is 409', async () => {
    const created = await tenant.client.post('/v1/webhooks', { url: 'https://93.184.216.34/r' });
    const rotated = await tenant.client.post(`/v1/webhooks/${created.body.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    const row = await api.db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.previousSecret).not.toBeNull();
    expect(row.previousSecretUntil!.getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    const test = await tenant.client.post(`/v1/webhooks/${created.body.id}/test`);
    expect(test.status).toBe(202);
    expect(await api.db.webhookDelivery.findUniqueOrThrow({ where: { id: test.body.deliveryId } })).toMatchObject({ status: 'pending', eventType: 'webhook.test', eventId: test.body.eventId });
    const again = await tenant.client.post(`/v1/webhooks/${created.body.id}/deliveries/${test.body.deliveryId}/redeliver`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('delivery_in_progress');
    const log = await tenant.client.get(`/v1/webhooks/${created.body.id}/deliveries?status=pending`);
    expect(log.body.items).toEqual([expect.objectContaining({ id: test.body.deliveryId, status: 'pending', attempts: [], payload: expect.objectContaining({ type: 'webhook.test' }) })]);
  });

  it('documents every event in the OpenAPI document (webhooks and component schemas)', async () => {
    const doc = (await api.client().get('/openapi.json')).body;
    for (const type of [...SUBSCRIBABLE_EVENTS, 'webhook.test']) {
      expect(doc.webhooks[type].post.requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/WebhookEvent_${type.replace(/\./g, '_')}`);
      expect(doc.components.schemas[`WebhookEvent_${type.replace(/\./g, '_')}`].properties.data).toBeDefined();
    }
    expect(SUBSCRIBABLE_EVENTS).toHaveLength(12);
  });
});
