import type { Redis } from 'ioredis';
import { GOOD_PASSWORD, TestApi } from '../support/api.js';
import { REDIS } from '../../src/redis/redis.module.js';
import { logIn, staff } from '../support/people.js';
import { waitFor } from '../support/processes.js';

// Issue 12, items 2, 6, 7 and 9: staff accounts with roles on the existing tenancy, one-time
// passwords, login throttling and its alert, password reset, and the person as audit actor.
const NEW_PASSWORD = 'Velvet-Harbor-Compass-93!';
const ACCOUNT_FAILURES = 5;
const IP_FAILURES = 12;

describe('people', () => {
  let api: TestApi;
  let owner: { id: string; client: import('../support/api.js').Client };

  beforeAll(async () => {
    api = await TestApi.start({ LOGIN_THROTTLE_ACCOUNT_FAILURES: String(ACCOUNT_FAILURES), LOGIN_THROTTLE_IP_FAILURES: String(IP_FAILURES) });
    owner = await api.reseller({}, 'Owner');
  });
  afterAll(() => api?.close());

  /** Each test starts with no failed logins counted. */
  beforeEach(async () => {
    const redis = api.app.get<Redis>(REDIS);
    const prefix = redis.options.keyPrefix ?? '';
    const keys = await redis.keys(`${prefix}web-login:*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
  });

  it('creates a user with a one-time password that opens only the password change', async () => {
    const created = await api.admin.post('/v1/users', { email: 'New@Owner.test', role: 'reseller-admin', resellerId: owner.id });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new@owner.test', role: 'reseller-admin', resellerId: owner.id, mustChangePassword: true, disabled: false });
    const row = await api.db.user.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.passwordHash).toMatch(/^\{ARGON2ID\}/);
    expect(row.passwordHash).not.toContain(created.body.oneTimePassword);
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { action: 'user.create', targetId: row.id } });
    expect(JSON.stringify(audit.after)).not.toContain(created.body.oneTimePassword);

    const first = await logIn(api, 'new@owner.test', created.body.oneTimePassword);
    const refused = await first.get('/v1/domains');
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'password_change_required' });
    expect((await first.get('/v1/me')).body).toMatchObject({ kind: 'user', role: 'reseller-admin', tenant: owner.id, mustChangePassword: true, mfa: false });
    const changed = await first.post('/v1/me/password', { currentPassword: created.body.oneTimePassword, newPassword: GOOD_PASSWORD });
    expect(changed.status).toBe(200);
    expect(await api.db.user.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ mustChangePassword: false });
    const person = await logIn(api, 'new@owner.test', GOOD_PASSWORD);
    expect((await person.get('/v1/domains')).status).toBe(200);
  });

  it('tells who is calling: a key or a person', async () => {
    expect((await owner.client.get('/v1/me')).body).toMatchObject({ kind: 'apiKey', role: null, tenant: owner.id, mfa: false });
    const { session } = await staff(api, 'support@platform.test', 'platform-support');
    expect((await session.get('/v1/me')).body).toMatchObject({ kind: 'user', role: 'platform-support', tenant: null, readOnly: true, mfa: false });
  });

  it('gives each role exactly its tenancy and write rights', async () => {
    const domain = await owner.client.post('/v1/domains', { name: 'roles.test' });
    const other = await api.reseller({}, 'Other');
    const { session: support } = await staff(api, 'support2@platform.test', 'platform-support');
    const { session: viewer } = await staff(api, 'viewer@owner.test', 'reseller-viewer', owner.id);
    const { session: resellerAdmin } = await staff(api, 'admin@owner.test', 'reseller-admin', owner.id);
    const { session: otherAdmin } = await staff(api, 'admin@other.test', 'reseller-admin', other.id);
    // Platform support reads every tenant, writes nothing.
    expect((await support.get(`/v1/domains/${domain.body.id}`)).status).toBe(200);
    const supportWrite = await support.post('/v1/resellers', { name: 'nope' });
    expect({ status: supportWrite.status, code: supportWrite.body.code }).toEqual({ status: 403, code: 'read_only_role' });
    // A viewer reads its own tenant only.
    expect((await viewer.get(`/v1/domains/${domain.body.id}`)).status).toBe(200);
    const viewerWrite = await viewer.patch(`/v1/domains/${domain.body.id}`, { description: 'x' });
    expect({ status: viewerWrite.status, code: viewerWrite.body.code }).toEqual({ status: 403, code: 'read_only_role' });
    // Another reseller's admin does not see it at all.
    expect((await otherAdmin.get(`/v1/domains/${domain.body.id}`)).status).toBe(404);
    // A reseller admin manages its own tenant's people, never platform roles or another tenant.
    const escalate = await resellerAdmin.post('/v1/users', { email: 'boss@owner.test', role: 'platform-admin' });
    expect({ status: escalate.status, code: escalate.body.code }).toEqual({ status: 403, code: 'role_not_allowed' });
    const sideways = await resellerAdmin.post('/v1/users', { email: 'x@owner.test', role: 'reseller-admin', resellerId: other.id });
    expect(sideways.status).toBe(422);
    const own = await resellerAdmin.post('/v1/users', { email: 'helper@owner.test', role: 'reseller-viewer' });
    expect(own.status).toBe(201);
    expect(await api.db.user.findUniqueOrThrow({ where: { id: own.body.id } })).toMatchObject({ resellerId: owner.id, role: 'reseller-viewer' });
    expect((await otherAdmin.get(`/v1/users/${own.body.id}`)).status).toBe(404);
    const list = await resellerAdmin.get('/v1/users');
    expect(list.body.items.every((u: { resellerId: string }) => u.resellerId === owner.id)).toBe(true);
    const platformForReseller = await api.admin.post('/v1/users', { email: 'p@x.test', role: 'platform-admin', resellerId: owner.id });
    expect(platformForReseller.status).toBe(422);
    expect(await api.db.user.count({ where: { email: { in: ['boss@owner.test', 'x@owner.test', 'p@x.test'] } } })).toBe(0);
  });

  it('answers an unknown account exactly as a wrong password, and audits the failure with the person as actor', async () => {
    const { id } = await staff(api, 'known@owner.test', 'reseller-admin', owner.id);
    const wrong = await api.client().post('/v1/auth/login', { email: 'known@owner.test', password: 'wrong password' });
    const unknown = await api.client().post('/v1/auth/login', { email: 'nobody@owner.test', password: 'wrong password' });
    const shape = (r: typeof wrong) => ({ status: r.status, type: r.headers['content-type'], body: { ...r.body, requestId: undefined } });
    expect(shape(wrong)).toEqual(shape(unknown));
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(await api.db.auditEntry.findFirst({ where: { action: 'user.login_failed', actorType: 'user', actorId: id } })).not.toBeNull();
    expect(await api.db.session.count({ where: { userId: id } })).toBe(1);
  });

  it('throttles failed logins per account with 429 and Retry-After, even for the right password', async () => {
    await staff(api, 'target@owner.test', 'reseller-admin', owner.id);
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      expect((await api.client().post('/v1/auth/login', { email: 'target@owner.test', password: `guess ${i}` })).status).toBe(401);
    }
    const blocked = await api.client().post('/v1/auth/login', { email: 'target@owner.test', password: GOOD_PASSWORD });
    expect({ status: blocked.status, code: blocked.body.code }).toEqual({ status: 429, code: 'too_many_login_attempts' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Unknown accounts are throttled the same way.
    for (let i = 0; i < ACCOUNT_FAILURES; i++) await api.client().post('/v1/auth/login', { email: 'ghost@owner.test', password: `guess ${i}` });
    expect((await api.client().post('/v1/auth/login', { email: 'ghost@owner.test', password: 'again' })).status).toBe(429);
  });

  it('throttles failed logins per IP across accounts, and raises the login monitoring alert', async () => {
    for (let i = 0; i < IP_FAILURES; i++) {
      expect((await api.client().post('/v1/auth/login', { email: `spray${i}@owner.test`, password: 'guess' })).status).toBe(401);
    }
    const blocked = await api.client().post('/v1/auth/login', { email: 'fresh@owner.test', password: 'guess' });
    expect({ status: blocked.status, code: blocked.body.code }).toEqual({ status: 429, code: 'too_many_login_attempts' });
    // The same rules as IMAP logins (src/activity): ten failures from one address fire failuresPerIp.
    const alert = await waitFor(() => api.db.alert.findFirst({ where: { rule: 'login.failures_per_ip' } }));
    expect(alert!.summary).toContain('failed logins from 127.0.0.1');
  });

  it('resets a password by a single-use e-mailed token, answering the same for unknown accounts', async () => {
    const { id, session } = await staff(api, 'forgetful@owner.test', 'reseller-admin', owner.id);
    const unknown = await api.client().post('/v1/auth/password-reset', { email: 'nobody@owner.test' });
    const known = await api.client().post('/v1/auth/password-reset', { email: 'forgetful@owner.test' });
    expect({ status: known.status, body: known.body }).toEqual({ status: unknown.status, body: unknown.body });
    expect(known.status).toBe(202);
    const message = await api.db.message.findFirstOrThrow({ where: { kind: 'notification', recipients: { some: { address: 'forgetful@owner.test' } } } });
    expect(await api.db.message.count({ where: { recipients: { some: { address: 'nobody@owner.test' } } } })).toBe(0);
    const token = /^([\w-]{43})\r?$/m.exec(Buffer.from(message.raw!).toString())![1];
    const stored = await api.db.passwordResetToken.findFirstOrThrow({ where: { userId: id } });
    expect(stored.tokenHash).not.toContain(token);
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBe(30 * 60_000);

    const weak = await api.client().post('/v1/auth/password-reset/confirm', { token, password: 'password1' });
    expect({ status: weak.status, code: weak.body.code }).toEqual({ status: 422, code: 'password_rejected' });
    expect((await api.db.passwordResetToken.findUniqueOrThrow({ where: { id: stored.id } })).usedAt).toBeNull();
    const ok = await api.client().post('/v1/auth/password-reset/confirm', { token, password: NEW_PASSWORD });
    expect(ok.status).toBe(204);
    expect((await session.get('/v1/me')).status).toBe(401);
    await logIn(api, 'forgetful@owner.test', NEW_PASSWORD);
    const reused = await api.client().post('/v1/auth/password-reset/confirm', { token, password: GOOD_PASSWORD });
    expect({ status: reused.status, code: reused.body.code }).toEqual({ status: 422, code: 'reset_token_invalid' });
    expect(await api.db.auditEntry.findFirst({ where: { action: 'user.password_reset', actorType: 'user', actorId: id } })).not.toBeNull();

    // An expired token is refused and changes nothing.
    await api.client().post('/v1/auth/password-reset', { email: 'forgetful@owner.test' });
    const latest = await api.db.message.findFirstOrThrow({ where: { recipients: { some: { address: 'forgetful@owner.test' } } }, orderBy: { createdAt: 'desc' } });
    const second = /^([\w-]{43})\r?$/m.exec(Buffer.from(latest.raw!).toString())![1];
    await api.db.passwordResetToken.updateMany({ where: { userId: id, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const hash = (await api.db.user.findUniqueOrThrow({ where: { id } })).passwordHash;
    const expired = await api.client().post('/v1/auth/password-reset/confirm', { token: second, password: GOOD_PASSWORD });
    expect({ status: expired.status, code: expired.body.code }).toEqual({ status: 422, code: 'reset_token_invalid' });
    expect((await api.db.user.findUniqueOrThrow({ where: { id } })).passwordHash).toBe(hash);
  });

  it('lets an admin reset a password to a one-time one, ending every session', async () => {
    const { id, session } = await staff(api, 'locked-out@owner.test', 'reseller-admin', owner.id);
    const res = await owner.client.post(`/v1/users/${id}/password-reset`);
    expect(res.status).toBe(200);
    expect(await api.db.session.count({ where: { userId: id } })).toBe(0);
    expect((await session.get('/v1/me')).status).toBe(401);
    const person = await logIn(api, 'locked-out@owner.test', res.body.oneTimePassword);
    expect((await person.get('/v1/domains')).body.code).toBe('password_change_required');
    expect(await api.db.auditEntry.findFirst({ where: { action: 'user.password_reset_by_admin', targetId: id, actorType: 'api_key' } })).not.toBeNull();
  });
});
