import { Secret, TOTP } from 'otpauth';
import { LoginEventsWriter } from '../../src/activity/login-events.writer.js';
import { PasswordHasher } from '../../src/passwords/password-hasher.service.js';
import { TotpService } from '../../src/totp/totp.service.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { SessionClient, sessionCookieOf, staff } from '../support/people.js';
import { waitFor } from '../support/processes.js';

// Issue 12, item 3 over HTTP: mailbox owners log in with their address and mailbox password (every
// stored scheme), reach only their own mailbox, change their password, manage their app passwords
// and TOTP, and review their recent logins with what the monitoring flagged.
const IMPORTED = 'Old-Imported-Pass-41';
const HASHES = {
  'sha256@own.test': '{SHA256-CRYPT}$5$GKFsTbk6eDlUtyUL$Q4E8sw625tvS9ELE0.Ram5NeQE5kgZA6Gh9WoRo4tLD',
  'sha512@own.test': '{SHA512-CRYPT}$6$psgE/EAIZ3dXZshd$h/A/p10eahucyEMgOE6fJnJW/OniSlh9sa69GufAYwvBrKmzUvbc/ABreL8TnliRz4Uw6ooCot.nxT.smQt6D/',
  'blf@own.test': '{BLF-CRYPT}$2y$05$2DC2yt9iBlVo232gtFJOCOpyJpPbFVB2kSmsoP3pxTTHXw9SsxKFq',
  // At the import ceiling (BCRYPT_MAX_COST = 14): still verified, in about a second.
  'blf14@own.test': '{BLF-CRYPT}$2y$14$LVDxfTbbJxqhuAfrVHjZFe3uDgk1bF.ZLf5ftXpYTiy.GpyDAs/ki',
};
const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);

describe('mailbox owners', () => {
  let api: TestApi;
  let tenant: { id: string; client: Client; domainId: string };
  const ids: Record<string, string> = {};

  const login = (email: string, password: string, extra: object = {}) => api.client().post('/v1/auth/login', { email, password, ...extra });
  async function owner(email: string, password: string): Promise<SessionClient> {
    const res = await login(email, password);
    expect({ status: res.status, kind: res.body.kind }).toEqual({ status: 200, kind: 'mailbox' });
    return new SessionClient(api.baseUrl, sessionCookieOf(res)!, res.body.csrfToken);
  }

  beforeAll(async () => {
    api = await TestApi.start();
    tenant = await api.resellerWithDomain('own.test');
    const created = await tenant.client.post('/v1/mailboxes', { address: 'argon@own.test', password: GOOD_PASSWORD });
    expect(created.status).toBe(201);
    ids['argon@own.test'] = created.body.id;
    const imported = await tenant.client.post('/v1/mailboxes/import', {
      mailboxes: Object.entries(HASHES).map(([address, passwordHash]) => ({ address, passwordHash })),
    });
    expect(imported.body).toMatchObject({ created: 4, failed: 0 });
    Object.keys(HASHES).forEach((address, i) => (ids[address] = imported.body.results[i].id));
  });
  afterAll(() => api?.close());

  it('logs in with {ARGON2ID}, {SHA256-CRYPT}, {SHA512-CRYPT} and {BLF-CRYPT} hashes; a wrong password is 401', async () => {
    for (const [address, password] of [['argon@own.test', GOOD_PASSWORD], ...Object.keys(HASHES).map((a) => [a, IMPORTED])] as [string, string][]) {
      const res = await login(address.toUpperCase(), password);
      expect({ address, status: res.status }).toEqual({ address, status: 200 });
      expect(res.body).toMatchObject({ kind: 'mailbox', mailbox: { id: ids[address], address }, csrfToken: expect.any(String) });
      expect(await api.db.session.count({ where: { mailboxId: ids[address], userId: null } })).toBe(1);
      const wrong = await login(address, `${password}x`);
      expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 401, code: 'invalid_credentials' });
    }
    expect(await api.db.auditEntry.count({ where: { action: 'mailbox_owner.login', actorType: 'mailbox', actorId: ids['blf@own.test'] } })).toBe(1);
    expect(await api.db.auditEntry.count({ where: { action: 'mailbox_owner.login_failed', actorType: 'mailbox', actorId: ids['blf@own.test'] } })).toBe(1);
    // A disabled mailbox opens nothing, with the same answer.
    expect((await tenant.client.patch(`/v1/mailboxes/${ids['sha256@own.test']}`, { enabled: false })).status).toBe(200);
    expect((await login('sha256@own.test', IMPORTED)).status).toBe(401);
  }, 30_000);

  it('reaches only its own mailbox: /v1/me and its client settings; every other route is 404', async () => {
    const me = await owner('argon@own.test', GOOD_PASSWORD);
    const id = ids['argon@own.test'];
    expect((await me.get('/v1/me')).body).toMatchObject({ kind: 'mailbox', id, mailboxId: id, email: 'argon@own.test', role: null, mfa: false, requireAppPasswords: false });
    const settings = await me.get('/v1/me/settings');
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual((await tenant.client.get('/v1/settings?email=argon@own.test')).body);
    for (const url of ['/v1/mailboxes', `/v1/mailboxes/${id}`, `/v1/mailboxes/${id}/app-passwords`, '/v1/domains', `/v1/domains/${tenant.domainId}`, `/v1/activity?mailboxId=${id}`, '/v1/users', '/v1/alerts']) {
      const res = await me.get(url);
      expect({ url, status: res.status, code: res.body.code }).toEqual({ url, status: 404, code: 'not_found' });
    }
    const write = await me.patch(`/v1/mailboxes/${id}`, { quotaBytes: 1 });
    expect(write.status).toBe(404);
    expect((await me.post('/v1/domains', { name: 'owner.test' })).status).toBe(404);
    expect(await api.db.domain.count({ where: { name: 'owner.test' } })).toBe(0);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).quotaBytes).not.toBe(1n);
    // Owner-only routes refuse staff and keys.
    expect((await tenant.client.get('/v1/me/settings')).body.code).toBe('mailbox_session_required');
  });

  it('changes its password with the current one (policy applies), ending its other sessions; {BLF-CRYPT} becomes {ARGON2ID}', async () => {
    const id = ids['blf@own.test'];
    const other = await owner('blf@own.test', IMPORTED);
    const me = await owner('blf@own.test', IMPORTED);
    const wrong = await me.post('/v1/me/password', { currentPassword: 'nope', newPassword: GOOD_PASSWORD });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword', code: 'current_password_incorrect' })]);
    const weak = await me.post('/v1/me/password', { currentPassword: IMPORTED, newPassword: 'password' });
    expect(weak.status).toBe(422);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).passwordHash).toBe(HASHES['blf@own.test']);

    const changed = await me.post('/v1/me/password', { currentPassword: IMPORTED, newPassword: GOOD_PASSWORD });
    expect(changed.status).toBe(200);
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { id } });
    expect(row.passwordHash).toMatch(/^\{ARGON2ID\}/);
    expect(await api.app.get(PasswordHasher).verify(row.passwordHash, GOOD_PASSWORD)).toBe(true);
    expect(await api.db.session.count({ where: { mailboxId: id } })).toBe(1);
    expect((await other.get('/v1/me')).status).toBe(401);
    expect((await me.get('/v1/me')).status).toBe(401);
    const fresh = new SessionClient(api.baseUrl, sessionCookieOf(changed)!, changed.body.csrfToken);
    expect((await fresh.get('/v1/me')).body.mailboxId).toBe(id);
    expect(await api.db.auditEntry.count({ where: { action: 'mailbox.password_change', actorType: 'mailbox', actorId: id } })).toBe(1);
    expect((await login('blf@own.test', IMPORTED)).status).toBe(401);
  });

  it('manages its own app passwords', async () => {
    const id = ids['sha512@own.test'];
    const me = await owner('sha512@own.test', IMPORTED);
    const created = await me.post('/v1/me/app-passwords', { name: 'Phone', protocols: ['imap'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mailboxId: id, name: 'Phone', protocols: ['imap'], password: expect.any(String) });
    expect(await api.db.mailboxAppPassword.count({ where: { mailboxId: id } })).toBe(1);
    expect(await api.db.auditEntry.count({ where: { action: 'app_password.create', actorType: 'mailbox', actorId: id } })).toBe(1);
    const list = await me.get('/v1/me/app-passwords');
    expect(list.body.items).toEqual([expect.objectContaining({ id: created.body.id, lastUsedAt: null })]);
    // Another mailbox's app password is not found through this one.
    const foreign = await (await owner('argon@own.test', GOOD_PASSWORD)).delete(`/v1/me/app-passwords/${created.body.id}`);
    expect(foreign.status).toBe(404);
    expect((await me.delete(`/v1/me/app-passwords/${created.body.id}`)).status).toBe(204);
    expect(await api.db.mailboxAppPassword.count({ where: { mailboxId: id } })).toBe(0);
  });

  it('turns TOTP on, then may require app passwords; TOTP cannot go while they are required; login asks for a code', async () => {
    const id = ids['argon@own.test'];
    const me = await owner('argon@own.test', GOOD_PASSWORD);
    const refused = await me.patch('/v1/me', { requireAppPasswords: true });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'totp_required' });
    api.app.get(TotpService).clock = () => T0;
    const enrol = await me.post('/v1/me/mfa/totp');
    expect(enrol.body.otpauthUrl).toContain('Postmaster:argon%40own.test');
    const code = (at: number) => new TOTP({ secret: Secret.fromBase32(enrol.body.secret) }).generate({ timestamp: at });
    expect((await me.post('/v1/me/mfa/totp/confirm', { code: code(T0) })).status).toBe(200);
    expect(await api.db.auditEntry.count({ where: { action: 'totp.enable', actorType: 'mailbox', actorId: id } })).toBe(1);
    const on = await me.patch('/v1/me', { requireAppPasswords: true });
    expect(on.body).toEqual({ id, address: 'argon@own.test', requireAppPasswords: true });
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).requireAppPasswords).toBe(true);
    const off = await me.request('DELETE', '/v1/me/mfa/totp', { code: code(T0 + 30_000) });
    expect({ status: off.status, code: off.body.code }).toEqual({ status: 409, code: 'totp_in_use' });
    expect(await api.db.totpEnrolment.count({ where: { subjectId: id } })).toBe(1);

    const first = await login('argon@own.test', GOOD_PASSWORD);
    expect(first.body).toEqual({ mfaRequired: true, challenge: expect.any(String) });
    const second = await api.client().post('/v1/auth/login/totp', { challenge: first.body.challenge, code: code(T0 + 30_000) });
    expect(second.body).toMatchObject({ kind: 'mailbox', mailbox: { id } });
  });

  it('shows its recent logins with protocol, network and what the monitoring flagged; staff logins never count as the mailbox', async () => {
    const id = ids['sha512@own.test'];
    // Two IMAP logins as a mail service reports them: the second from a new network.
    for (const remoteIp of ['198.51.100.7', '203.0.113.9']) {
      const res = await api.admin.post('/v1/events', { type: 'login', login: 'sha512@own.test', remoteIp, protocol: 'imap', success: true });
      expect(res.status).toBe(202);
    }
    await waitFor(() => api.db.alert.findFirst({ where: { rule: 'login.new_network', mailboxId: id } }));
    // A staff person with the same address: the login precedence is staff, `kind` picks the mailbox.
    const { session: person } = await staff(api, 'sha512@own.test', 'reseller-admin', tenant.id);
    expect((await login('sha512@own.test', GOOD_PASSWORD)).body.kind).toBe('user');
    expect((await login('sha512@own.test', IMPORTED)).status).toBe(401);
    const me = await login('sha512@own.test', IMPORTED, { kind: 'mailbox' });
    expect(me.body.kind).toBe('mailbox');
    const session = new SessionClient(api.baseUrl, sessionCookieOf(me)!, me.body.csrfToken);
    await api.app.get(LoginEventsWriter).flush();

    const activity = await session.get('/v1/me/activity');
    expect(activity.status).toBe(200);
    // The owner had logged in only from 127.0.0.0/24 (the dashboard, above): the first IMAP login's
    // network is new and flagged; the rule then stays quiet for its guard period.
    const imap = activity.body.items.filter((item: { protocol: string }) => item.protocol === 'imap')
      .sort((a: { remoteIp: string }, b: { remoteIp: string }) => a.remoteIp.localeCompare(b.remoteIp));
    expect(imap).toEqual([
      { at: expect.any(String), protocol: 'imap', remoteIp: '198.51.100.7', network: '198.51.100.0/24', result: 'success', unusual: true, reason: 'login.new_network' },
      { at: expect.any(String), protocol: 'imap', remoteIp: '203.0.113.9', network: '203.0.113.0/24', result: 'success', unusual: false, reason: null },
    ]);
    const web = activity.body.items.filter((item: { protocol: string }) => item.protocol === 'web');
    // Its own dashboard logins (first test: one right, one wrong; then two sessions). The wrong
    // password just above named the staff account, so it is the person's failure, not the mailbox's.
    expect(web.map((w: { result: string }) => w.result).sort()).toEqual(['failure', 'success', 'success', 'success']);
    // The staff logins with this address are the person's own, not the mailbox's.
    expect(await api.db.loginEvent.count({ where: { mailboxId: id, login: { startsWith: 'staff:' } } })).toBe(0);
    const staffActivity = await person.get('/v1/me/activity');
    expect(staffActivity.body.items.map((w: { result: string }) => w.result).sort()).toEqual(['failure', 'success', 'success', 'success']);
    expect(staffActivity.body.items.every((item: { protocol: string; network: string }) => item.protocol === 'web' && item.network === '127.0.0.0/24')).toBe(true);
    expect((await tenant.client.get('/v1/me/activity')).status).toBe(403);
  });

  it('is throttled like staff logins: after the failures, even the right password is 429', async () => {
    // One failure in the first test, four here: LOGIN_THROTTLE_ACCOUNT_FAILURES (5) reached.
    for (let i = 0; i < 4; i++) expect((await login('blf14@own.test', 'wrong')).status).toBe(401);
    const limited = await login('blf14@own.test', IMPORTED);
    expect({ status: limited.status, code: limited.body.code }).toEqual({ status: 429, code: 'too_many_login_attempts' });
    expect(await api.db.session.count({ where: { mailboxId: ids['blf14@own.test'] } })).toBe(1);
  }, 30_000);
});
