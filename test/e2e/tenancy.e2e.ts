import { AlertsService } from '../../src/alerts/alerts.service.js';
import { GOOD_PASSWORD, type Client, TestApi } from '../support/api.js';
import { SessionClient, sessionCookieOf, staff } from '../support/people.js';

// Tenancy is the first security property. The routes come from the OpenAPI document, so a route
// added without a tenancy case here fails this file instead of going untested.
const ADMIN_ONLY = ['/v1/resellers', '/v1/mail-services', '/v1/password-policy/floor'];
// POSTs that change nothing (dry runs): read-only keys may call them.
const READ_ACTIONS = ['POST /v1/password-policy/check'];
// Not API-key routes: Dovecot authenticates with a shared header (test/e2e/login-monitoring.e2e.ts).
const HOOKS = ['/v1/integrations/'];
// A person's own login (logout, sessions, password, MFA): no tenant object, and read-only roles may
// use them. Covered below for sessions and in test/e2e/sessions.e2e.ts; API keys answer session_required.
const PERSONAL = ['/v1/auth/', '/v1/me'];
const personal = (path: string) => PERSONAL.some((prefix) => path.startsWith(prefix));

describe('tenancy', () => {
  let api: TestApi;
  let owner: { id: string; client: Client };
  let other: { id: string; client: Client };
  let readOnly: Client;
  let otherAdmin: SessionClient;
  let viewer: SessionClient;
  // Mailbox owners (issue 12, part C): box@owner.test's own session, and another mailbox's owner.
  let mailboxOwner: SessionClient;
  let otherMailboxOwner: SessionClient;
  const ids: Record<string, string> = {};
  let appPasswordId = '';
  let webhookDeliveryId = '';

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
    // Webhooks (issue 16): an endpoint of the owner's, and one delivery of it (a test event).
    ids['/v1/webhooks/{id}'] = (await c.post('/v1/webhooks', { url: 'https://93.184.216.34/hook' })).body.id;
    webhookDeliveryId = (await c.post(`/v1/webhooks/${ids['/v1/webhooks/{id}']}/test`)).body.deliveryId;
    appPasswordId = (await c.post(`/v1/mailboxes/${ids['/v1/mailboxes/{id}']}/app-passwords`, { name: 'Phone' })).body.id;
    // People (issue 12): the same matrix for sessions, with a user and a session of the owner's.
    const ownerUser = await staff(api, 'admin@owner.test', 'reseller-admin', owner.id);
    ids['/v1/users/{id}'] = ownerUser.id;
    ids['/v1/auth/sessions/{id}'] = (await api.db.session.findFirstOrThrow({ where: { userId: ownerUser.id } })).id;
    otherAdmin = (await staff(api, 'admin@other.test', 'reseller-admin', other.id)).session;
    viewer = (await staff(api, 'viewer@owner.test', 'reseller-viewer', owner.id)).session;
    ids['/v1/me/app-passwords/{id}'] = appPasswordId;
    await c.post('/v1/mailboxes', { address: 'box2@owner.test', password: GOOD_PASSWORD });
    const ownerLogin = async (email: string) => {
      const res = await api.client().post('/v1/auth/login', { email, password: GOOD_PASSWORD });
      expect(res.body.kind).toBe('mailbox');
      return new SessionClient(api.baseUrl, sessionCookieOf(res)!, res.body.csrfToken);
    };
    mailboxOwner = await ownerLogin('box@owner.test');
    otherMailboxOwner = await ownerLogin('box2@owner.test');
    expect(Object.values(ids).every(Boolean)).toBe(true);
    expect(appPasswordId).toBeTruthy();
    expect(webhookDeliveryId).toBeTruthy();
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
    'POST /v1/users': { email: 'new@owner.test', role: 'reseller-viewer' },
    'PATCH /v1/users/{id}': { role: 'reseller-viewer' },
    'POST /v1/resellers': { name: 'new' },
    'PATCH /v1/domains/{id}': { description: 'changed' },
    'PATCH /v1/domain-aliases/{id}': { status: 'active' },
    'PATCH /v1/mailboxes/{id}': { displayName: 'changed' },
    'PATCH /v1/aliases/{id}': { destinations: ['changed@elsewhere.test'] },
    'PATCH /v1/resellers/{id}': { name: 'changed' },
    'PATCH /v1/alerts/{id}': { state: 'acknowledged' },
    'PUT /v1/mailboxes/{id}/login-lock': { reason: 'changed' },
    'POST /v1/mailboxes/{id}/app-passwords': { name: 'changed' },
    'PUT /v1/mailboxes/{id}/password': { password: 'Another-Good-Passw0rd!' },
    'POST /v1/mailboxes/{id}/password/change': { currentPassword: GOOD_PASSWORD, newPassword: 'Another-Good-Passw0rd!' },
    'PUT /v1/domains/{id}/password-policy': { policy: 'nist-800-63b' },
    'PUT /v1/password-policy': { policy: 'nist-800-63b' },
    'PUT /v1/notification-settings': { email: 'changed@owner.test' },
    'POST /v1/webhooks': { url: 'https://93.184.216.34/new' },
    'PATCH /v1/webhooks/{id}': { description: 'changed' },
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
      await db.user.findMany({ orderBy: { id: 'asc' } }),
      await db.session.findMany({ orderBy: { id: 'asc' }, select: { id: true } }),
      await db.mailboxAppPassword.findMany({ orderBy: { id: 'asc' } }),
      await db.message.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, nextAttemptAt: true } }),
      await db.messageRecipient.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true } }),
      await db.webhookEndpoint.findMany({ orderBy: { id: 'asc' } }),
      await db.webhookDelivery.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, attempts: true, nextAttemptAt: true } }),
    ], (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  }

  function fill(path: string): string {
    if (!path.includes('{id}')) return path;
    const id = ids[path.slice(0, path.indexOf('{id}') + 4)];
    if (!id) throw new Error(`No tenancy case for ${path}: add its object to this test`);
    return path.replace('{id}', id).replace('{appPasswordId}', appPasswordId).replace('{deliveryId}', webhookDeliveryId);
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
    const objectRoutes = (await routes()).filter((r) => r.path.includes('{id}') && !r.adminOnly && !personal(r.path));
    expect(objectRoutes.length).toBeGreaterThanOrEqual(13);
    await expectEveryRoute(objectRoutes, other.client, 404, 'not_found');
  });

  it("answers 404 to another reseller's person on every object route, its own sessions included", async () => {
    const objectRoutes = (await routes()).filter((r) => r.path.includes('{id}') && !r.adminOnly && (!personal(r.path) || r.path.startsWith('/v1/auth/sessions/')));
    expect(objectRoutes.length).toBeGreaterThanOrEqual(15);
    await expectEveryRoute(objectRoutes, otherAdmin, 404, 'not_found');
  });

  it("answers 404 to a mailbox owner's session on every route but its own, and changes nothing", async () => {
    const everyRoute = (await routes()).filter((r) => r.path.startsWith('/v1/') && !personal(r.path) && !HOOKS.some((prefix) => r.path.startsWith(prefix)));
    expect(everyRoute.length).toBeGreaterThanOrEqual(40);
    await expectEveryRoute(everyRoute, mailboxOwner, 404, 'not_found');
    // Another mailbox's owner does not find this one's app password or a person's session either.
    await expectEveryRoute([
      { method: 'DELETE', path: '/v1/me/app-passwords/{id}', adminOnly: false },
      { method: 'DELETE', path: '/v1/auth/sessions/{id}', adminOnly: false },
    ], otherMailboxOwner, 404, 'not_found');
    // Its own routes answer.
    for (const url of ['/v1/me', '/v1/me/settings', '/v1/me/app-passwords', '/v1/me/activity', '/v1/auth/sessions', '/v1/auth/csrf']) {
      const res = await mailboxOwner.get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
    expect((await mailboxOwner.get('/v1/me/app-passwords')).body.items).toEqual([expect.objectContaining({ id: appPasswordId })]);
  });

  it('answers 403 to a read-only key on every write route, and changes nothing', async () => {
    const writes = (await routes()).filter((r) =>
      !['GET', 'HEAD'].includes(r.method) && r.path.startsWith('/v1/') && !r.adminOnly && !READ_ACTIONS.includes(`${r.method} ${r.path}`)
      && !HOOKS.some((prefix) => r.path.startsWith(prefix)));
    expect(writes.length).toBeGreaterThanOrEqual(13);
    await expectEveryRoute(writes.filter((r) => !personal(r.path)), readOnly, 403, 'read_only_key');
    await expectEveryRoute(writes.filter((r) => !personal(r.path)), viewer, 403, 'read_only_role');
  });

  it('lets the read-only key read what its tenant owns', async () => {
    for (const path of Object.keys(ids).filter((p) => !p.startsWith('/v1/resellers') && !personal(p))) {
      expect({ path, status: (await readOnly.get(fill(path))).status }).toEqual({ path, status: 200 });
    }
  });

  it('keeps platform-only routes from resellers, even for their own reseller record', async () => {
    const adminRoutes = (await routes()).filter((r) => r.adminOnly);
    expect(adminRoutes.length).toBeGreaterThanOrEqual(6);
    await expectEveryRoute(adminRoutes, owner.client, 403, 'platform_admin_required');
    await expectEveryRoute(adminRoutes, otherAdmin, 403, 'platform_admin_required');
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
