import { AlertsService } from '../../src/alerts/alerts.service.js';
import { GOOD_PASSWORD, type Client, TestApi } from '../support/api.js';

// Tenancy is the first security property. The routes come from the OpenAPI document, so a route
// added without a tenancy case here fails this file instead of going untested.
const ADMIN_ONLY = ['/v1/resellers', '/v1/mail-services', '/v1/password-policy/floor'];
// POSTs that change nothing (dry runs): read-only keys may call them.
const READ_ACTIONS = ['POST /v1/password-policy/check'];
// Not API-key routes: Dovecot authenticates with a shared header (test/e2e/login-monitoring.e2e.ts).
const HOOKS = ['/v1/integrations/'];

describe('tenancy', () => {
  let api: TestApi;
  let owner: { id: string; client: Client };
  let other: { id: string; client: Client };
  let readOnly: Client;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.reseller({}, 'Owner');
    other = await api.reseller({}, 'Other');
    readOnly = await api.keyLike(owner.client, { readOnly: true });
    const c = owner.client;
    const domain = await c.post('/v1/domains', { name: 'owner.test' });
    await api.admin.patch(`/v1/domains/${domain.body.id}`, { status: 'active' });
    ids['/v1/domains/{id}'] = domain.body.id;
    ids['/v1/mailboxes/{id}'] = (await c.post('/v1/mailboxes', { address: 'box@owner.test', password: GOOD_PASSWORD })).body.id;
    ids['/v1/aliases/{id}'] = (await c.post('/v1/aliases', { source: 'alias@owner.test', destinations: ['box@owner.test'] })).body.id;
    ids['/v1/domain-aliases/{id}'] = (await c.post('/v1/domain-aliases', { aliasDomain: 'owner-alias.test', targetDomainId: domain.body.id })).body.id;
    ids['/v1/api-keys/{id}'] = (await c.post('/v1/api-keys', { name: 'spare' })).body.id;
    ids['/v1/messages/{id}'] = (await c.post('/v1/messages', { from: 'box@owner.test', to: ['someone@example.org'], text: 'hi' })).body.id;
    ids['/v1/resellers/{id}'] = owner.id;
    ids['/v1/alerts/{id}'] = (await api.app.get(AlertsService).raise({
      resellerId: owner.id, rule: 'login.new_network', severity: 'info', summary: 'test', evidence: {},
    })).id;
    expect(Object.values(ids).every(Boolean)).toBe(true);
  });
  afterAll(() => api?.close());

  type Route = { method: string; path: string; adminOnly: boolean };

  async function routes(): Promise<Route[]> {
    const spec = (await api.client().get('/openapi.json')).body;
    return Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase(),
        path,
        adminOnly: ADMIN_ONLY.some((prefix) => path.startsWith(prefix)),
      })),
    );
  }

  const bodies: Record<string, unknown> = {
    'POST /v1/domains': { name: 'new.test' },
    'POST /v1/mailboxes': { address: 'new@owner.test', password: GOOD_PASSWORD },
    'POST /v1/aliases': { source: 'new@owner.test', destinations: ['box@owner.test'] },
    'POST /v1/domain-aliases': { aliasDomain: 'new-alias.test', targetDomainId: '00000000-0000-4000-8000-000000000000' },
    'POST /v1/api-keys': { name: 'new' },
    'POST /v1/resellers': { name: 'new' },
    'PATCH /v1/domains/{id}': { description: 'changed' },
    'PATCH /v1/domain-aliases/{id}': { status: 'active' },
    'PATCH /v1/mailboxes/{id}': { displayName: 'changed' },
    'PATCH /v1/aliases/{id}': { destinations: ['changed@elsewhere.test'] },
    'PATCH /v1/resellers/{id}': { name: 'changed' },
    'PATCH /v1/alerts/{id}': { state: 'acknowledged' },
    'PUT /v1/mailboxes/{id}/login-lock': { reason: 'changed' },
    'PUT /v1/mailboxes/{id}/password': { password: 'Another-Good-Passw0rd!' },
    'POST /v1/mailboxes/{id}/password/change': { currentPassword: GOOD_PASSWORD, newPassword: 'Another-Good-Passw0rd!' },
    'PUT /v1/domains/{id}/password-policy': { policy: 'nist-800-63b' },
    'PUT /v1/password-policy': { policy: 'nist-800-63b' },
    'PUT /v1/notification-settings': { email: 'changed@owner.test' },
    'POST /v1/mailboxes/import': { mailboxes: [{ address: 'imported@owner.test', passwordHash: '{BLF-CRYPT}$2y$05$vmtv1OIfhBFWGl.3vB1.4ekXwN4ESp3/K7/wGzaMRzrPSxCcslNVy' }] },
  };

  async function snapshot() {
    const db = api.db;
    return JSON.stringify([
      await db.domain.findMany({ orderBy: { id: 'asc' } }),
      await db.mailbox.findMany({ orderBy: { id: 'asc' } }),
      await db.alias.findMany({ orderBy: { id: 'asc' } }),
      await db.domainAlias.findMany({ orderBy: { id: 'asc' } }),
      await db.apiKey.findMany({ orderBy: { id: 'asc' }, select: { id: true, name: true, resellerId: true } }),
      await db.reseller.findMany({ orderBy: { id: 'asc' } }),
      await db.platformSetting.findMany({ orderBy: { key: 'asc' } }),
      await db.passwordHistoryEntry.count(),
      await db.message.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, nextAttemptAt: true } }),
      await db.messageRecipient.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true } }),
    ], (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  }

  function fill(path: string): string {
    if (!path.includes('{id}')) return path;
    const id = ids[path.slice(0, path.indexOf('{id}') + 4)];
    if (!id) throw new Error(`No tenancy case for ${path}: add its object to this test`);
    return path.replace('{id}', id);
  }

  /** Calls every route as `client`; each must answer `status` with `code`, and nothing may change. */
  async function expectEveryRoute(list: Route[], client: Client, status: number, code: string) {
    const before = await snapshot();
    for (const route of list) {
      const res = await client.request(route.method as never, fill(route.path), bodies[`${route.method} ${route.path}`]);
      expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status, code });
    }
    expect(await snapshot()).toBe(before);
  }

  it('answers 404 to another tenant on every object route, and changes nothing', async () => {
    const objectRoutes = (await routes()).filter((r) => r.path.includes('{id}') && !r.adminOnly);
    expect(objectRoutes.length).toBeGreaterThanOrEqual(13);
    await expectEveryRoute(objectRoutes, other.client, 404, 'not_found');
  });

  it('answers 403 to a read-only key on every write route, and changes nothing', async () => {
    const writes = (await routes()).filter((r) =>
      !['GET', 'HEAD'].includes(r.method) && r.path.startsWith('/v1/') && !r.adminOnly && !READ_ACTIONS.includes(`${r.method} ${r.path}`)
      && !HOOKS.some((prefix) => r.path.startsWith(prefix)));
    expect(writes.length).toBeGreaterThanOrEqual(13);
    await expectEveryRoute(writes, readOnly, 403, 'read_only_key');
  });

  it('lets the read-only key read what its tenant owns', async () => {
    for (const path of Object.keys(ids).filter((p) => !p.startsWith('/v1/resellers'))) {
      expect({ path, status: (await readOnly.get(fill(path))).status }).toEqual({ path, status: 200 });
    }
  });

  it('keeps platform-only routes from resellers, even for their own reseller record', async () => {
    const adminRoutes = (await routes()).filter((r) => r.adminOnly);
    expect(adminRoutes.length).toBeGreaterThanOrEqual(6);
    await expectEveryRoute(adminRoutes, owner.client, 403, 'platform_admin_required');
  });

  it('shows each tenant only its own objects in lists', async () => {
    await other.client.post('/v1/domains', { name: 'other.test' });
    for (const path of ['/v1/domains', '/v1/mailboxes', '/v1/aliases', '/v1/domain-aliases', '/v1/messages']) {
      const list = await other.client.get(path);
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain('owner');
    }
    const keys = await other.client.get('/v1/api-keys');
    expect(keys.body.items.every((k: { resellerId: string }) => k.resellerId === other.id)).toBe(true);
  });

  it('does not let a reseller create objects for another reseller (mass assignment)', async () => {
    for (const [path, body] of [
      ['/v1/domains', { name: 'sneaky.test', resellerId: other.id }],
      ['/v1/api-keys', { name: 'sneaky', resellerId: other.id }],
    ] as const) {
      const res = await owner.client.post(path, body);
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'resellerId', code: 'not_allowed' })]);
    }
    expect(await api.db.domain.count({ where: { name: 'sneaky.test' } })).toBe(0);
    expect(await api.db.apiKey.count({ where: { name: 'sneaky' } })).toBe(0);
  });

  it('shows a tenant the audit entries about its own objects only', async () => {
    const mine = await owner.client.get('/v1/audit-log?limit=200');
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((e: { resellerId: string }) => e.resellerId === owner.id)).toBe(true);
    const theirs = await other.client.get('/v1/audit-log?limit=200');
    expect(theirs.body.items.every((e: { resellerId: string }) => e.resellerId === other.id)).toBe(true);
  });
});
