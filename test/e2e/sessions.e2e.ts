import { createHash } from 'node:crypto';
import { LoginEventsWriter } from '../../src/activity/login-events.writer.js';
import { GOOD_PASSWORD, TestApi } from '../support/api.js';
import { SessionClient, logIn, sessionCookieOf, staff } from '../support/people.js';

// Issue 12, item 4: server-side sessions behind an HttpOnly cookie, CSRF on cookie writes, no
// fixation, idle and absolute expiry, logout, list and revoke, and every session ended when the
// password changes or the user is disabled.
const IDLE_S = 60;
const ABSOLUTE_S = 3600;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('sessions', () => {
  let api: TestApi;
  let resellerId: string;
  const email = 'ops@people.test';

  beforeAll(async () => {
    api = await TestApi.start({ SESSION_IDLE_TIMEOUT_SECONDS: String(IDLE_S), SESSION_ABSOLUTE_TIMEOUT_SECONDS: String(ABSOLUTE_S) });
    resellerId = (await api.reseller({}, 'People')).id;
    await staff(api, email, 'reseller-admin', resellerId);
  });
  afterAll(() => api?.close());

  it('logs in with a new HttpOnly, SameSite=Lax cookie whose id is stored only as a SHA-256', async () => {
    const before = Date.now();
    const res = await api.client().post('/v1/auth/login', { email: 'OPS@people.test', password: GOOD_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { email, role: 'reseller-admin', resellerId }, mustChangePassword: false, csrfToken: expect.any(String) });
    const cookie = res.headers['set-cookie'];
    expect(cookie).toMatch(/^pm_session=[\w-]{43}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    const id = sessionCookieOf(res)!;
    const row = await api.db.session.findUniqueOrThrow({ where: { tokenHash: sha256(id) } });
    expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + ABSOLUTE_S * 1000);
    expect(JSON.stringify(await api.db.session.findMany())).not.toContain(id);
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { action: 'user.login', after: { path: ['sessionId'], equals: row.id } } });
    expect(audit).toMatchObject({ actorType: 'user', actorId: row.userId, resellerId });
    await api.app.get(LoginEventsWriter).flush();
    // Staff logins are stored under `staff:` (part C), never counted against a mailbox of the same address.
    expect(await api.db.loginEvent.findFirst({ where: { login: `staff:${email}`, mailboxId: null, protocol: 'web', result: 'success', source: 'web' } })).not.toBeNull();
  });

  it('refuses cookie writes without the CSRF token, and accepts them with it', async () => {
    const person = await logIn(api, email, GOOD_PASSWORD);
    const noToken = await person.withoutCsrf().post('/v1/domains', { name: 'csrf.test' });
    expect({ status: noToken.status, code: noToken.body.code }).toEqual({ status: 403, code: 'csrf_token_invalid' });
    const wrong = await new SessionClient(api.baseUrl, person.cookie, 'A'.repeat(43)).post('/v1/domains', { name: 'csrf.test' });
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 403, code: 'csrf_token_invalid' });
    expect(await api.db.domain.count({ where: { name: 'csrf.test' } })).toBe(0);
    // Reads need none; the token can be fetched again.
    const csrf = await person.withoutCsrf().get('/v1/auth/csrf');
    expect(csrf.body).toEqual({ csrfToken: person.csrf });
    const ok = await person.post('/v1/domains', { name: 'csrf.test' });
    expect(ok.status).toBe(201);
    expect(await api.db.domain.findFirstOrThrow({ where: { name: 'csrf.test' } })).toMatchObject({ resellerId });
    expect(await api.db.auditEntry.findFirst({ where: { action: 'domain.create', actorType: 'user' } })).not.toBeNull();
  });

  it('never honours a session id set before login (no fixation)', async () => {
    const planted = 'x'.repeat(43);
    const res = await api.client().post('/v1/auth/login', { email, password: GOOD_PASSWORD }, { cookie: `pm_session=${planted}` });
    expect(res.status).toBe(200);
    expect(sessionCookieOf(res)).not.toBe(planted);
    const again = await api.client().post('/v1/auth/login', { email, password: GOOD_PASSWORD });
    expect(sessionCookieOf(again)).not.toBe(sessionCookieOf(res));
    const withPlanted = await new SessionClient(api.baseUrl, planted, undefined).get('/v1/me');
    expect({ status: withPlanted.status, code: withPlanted.body.code }).toEqual({ status: 401, code: 'session_invalid' });
  });

  it('ends a session after the idle timeout and at the absolute one', async () => {
    const idle = await logIn(api, email, GOOD_PASSWORD);
    const idleRow = { tokenHash: sha256(idle.cookie) };
    await api.db.session.update({ where: idleRow, data: { lastSeenAt: new Date(Date.now() - (IDLE_S - 10) * 1000) } });
    expect((await idle.get('/v1/me')).status).toBe(200);
    // The request above refreshed lastSeenAt: idle is measured from the last request.
    expect((await api.db.session.findUniqueOrThrow({ where: idleRow })).lastSeenAt.getTime()).toBeGreaterThan(Date.now() - 5000);
    await api.db.session.update({ where: idleRow, data: { lastSeenAt: new Date(Date.now() - (IDLE_S + 1) * 1000) } });
    const expired = await idle.get('/v1/me');
    expect({ status: expired.status, code: expired.body.code }).toEqual({ status: 401, code: 'session_expired' });
    expect(await api.db.session.findUnique({ where: idleRow })).toBeNull();

    const absolute = await logIn(api, email, GOOD_PASSWORD);
    await api.db.session.update({ where: { tokenHash: sha256(absolute.cookie) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const ended = await absolute.get('/v1/me');
    expect({ status: ended.status, code: ended.body.code }).toEqual({ status: 401, code: 'session_expired' });
  });

  it('logs out: the row is deleted, the cookie cleared, and the id no longer works', async () => {
    const person = await logIn(api, email, GOOD_PASSWORD);
    const noCsrf = await person.withoutCsrf().post('/v1/auth/logout');
    expect(noCsrf.status).toBe(403);
    const res = await person.post('/v1/auth/logout');
    expect(res.status).toBe(204);
    expect(res.headers['set-cookie']).toMatch(/^pm_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
    expect(await api.db.session.findUnique({ where: { tokenHash: sha256(person.cookie) } })).toBeNull();
    expect((await person.get('/v1/me')).status).toBe(401);
    expect(await api.db.auditEntry.count({ where: { action: 'user.logout', actorType: 'user' } })).toBe(1);
  });

  it("lists one's own sessions and revokes one of them, never another person's", async () => {
    const { session: other } = await staff(api, 'other@people.test', 'reseller-admin', resellerId);
    const otherId = (await other.get('/v1/auth/sessions')).body.items[0].id;
    await api.db.session.deleteMany({ where: { user: { email } } });
    const first = await logIn(api, email, GOOD_PASSWORD);
    const second = await logIn(api, email, GOOD_PASSWORD);
    const list = await first.get('/v1/auth/sessions');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const secondId = list.body.items.find((s: { current: boolean }) => !s.current).id;
    expect((await first.delete(`/v1/auth/sessions/${otherId}`)).status).toBe(404);
    expect(await api.db.session.findUnique({ where: { id: otherId } })).not.toBeNull();
    expect((await first.delete(`/v1/auth/sessions/${secondId}`)).status).toBe(204);
    expect(await api.db.session.findUnique({ where: { id: secondId } })).toBeNull();
    expect((await second.get('/v1/me')).status).toBe(401);
    expect((await first.get('/v1/me')).status).toBe(200);
    const keyList = await api.admin.get('/v1/auth/sessions');
    expect({ status: keyList.status, code: keyList.body.code }).toEqual({ status: 403, code: 'session_required' });
  });

  it('ends every session when the password changes, and answers with a new one', async () => {
    const a = await logIn(api, email, GOOD_PASSWORD);
    const b = await logIn(api, email, GOOD_PASSWORD);
    const wrong = await a.post('/v1/me/password', { currentPassword: 'not it', newPassword: 'Velvet-Harbor-Compass-93!' });
    expect({ status: wrong.status, code: wrong.body.errors?.[0]?.code }).toEqual({ status: 422, code: 'current_password_incorrect' });
    const weak = await a.post('/v1/me/password', { currentPassword: GOOD_PASSWORD, newPassword: 'password1' });
    expect({ status: weak.status, code: weak.body.code }).toEqual({ status: 422, code: 'password_rejected' });
    const hash = (await api.db.user.findUniqueOrThrow({ where: { email } })).passwordHash;
    const res = await a.post('/v1/me/password', { currentPassword: GOOD_PASSWORD, newPassword: 'Velvet-Harbor-Compass-93!' });
    expect(res.status).toBe(200);
    expect((await api.db.user.findUniqueOrThrow({ where: { email } })).passwordHash).not.toBe(hash);
    expect((await a.get('/v1/me')).status).toBe(401);
    expect((await b.get('/v1/me')).status).toBe(401);
    const fresh = new SessionClient(api.baseUrl, sessionCookieOf(res)!, res.body.csrfToken);
    expect((await fresh.get('/v1/me')).status).toBe(200);
    expect(await api.db.session.count({ where: { user: { email } } })).toBe(1);
    const back = await fresh.post('/v1/me/password', { currentPassword: 'Velvet-Harbor-Compass-93!', newPassword: GOOD_PASSWORD });
    expect(back.status).toBe(200);
  });

  it('ends every session when the user is disabled, and refuses its logins', async () => {
    const { id, session } = await staff(api, 'leaver@people.test', 'reseller-viewer', resellerId);
    const res = await api.admin.patch(`/v1/users/${id}`, { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body.disabled).toBe(true);
    expect(await api.db.session.count({ where: { userId: id } })).toBe(0);
    expect((await session.get('/v1/me')).status).toBe(401);
    const login = await api.client().post('/v1/auth/login', { email: 'leaver@people.test', password: GOOD_PASSWORD });
    expect({ status: login.status, code: login.body.code }).toEqual({ status: 401, code: 'invalid_credentials' });
  });
});
