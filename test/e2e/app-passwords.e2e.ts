import { Secret, TOTP } from 'otpauth';
import { AUTH_POLICY_PATH } from '../../src/activity/auth-policy-settings.js';
import type { MailServicesConfig } from '../../src/mail-services/mail-services-config.renderer.js';
import { PasswordHasher } from '../../src/passwords/password-hasher.service.js';
import { TotpService } from '../../src/totp/totp.service.js';
import { type Client, TestApi } from '../support/api.js';
import { TestDovecot } from '../support/dovecot.js';
import { waitFor } from '../support/processes.js';

// App passwords (issue 12, item 8) through HTTP, proven with a real Dovecot that reads the
// configuration GET /v1/mail-services/config returned: a second SQL passdb over dovecot_app_passwords.
describe('app passwords', () => {
  let api: TestApi;
  let dovecot: TestDovecot;
  let owner: { id: string; client: Client; domainId: string };
  const PASSWORD = 'Juniper-Harbor-Violet-58?';

  async function mailbox(address: string): Promise<string> {
    const res = await owner.client.post('/v1/mailboxes', { address, password: PASSWORD });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function appPassword(mailboxId: string, body: Record<string, unknown>) {
    const res = await owner.client.post(`/v1/mailboxes/${mailboxId}/app-passwords`, body);
    expect(res.status).toBe(201);
    return res.body as { id: string; password: string; protocols: string[] };
  }

  beforeAll(async () => {
    api = await TestApi.start();
    const config = (await api.admin.get<MailServicesConfig>('/v1/mail-services/config')).body;
    dovecot = await TestDovecot.start(config);
    owner = await api.resellerWithDomain('apps.test');
    expect((await api.admin.patch(`/v1/domains/${owner.domainId}`, { status: 'active' })).status).toBe(200);
  });
  afterAll(async () => {
    await dovecot?.stop();
    await api?.close();
  });

  it('creates one shown once and stored as {ARGON2ID}, lists it without the secret, audits it redacted', async () => {
    const id = await mailbox('list@apps.test');
    const res = await owner.client.post(`/v1/mailboxes/${id}/app-passwords`, { name: 'Phone', protocols: ['smtp', 'imap', 'imap'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ mailboxId: id, name: 'Phone', protocols: ['imap', 'smtp'], lastUsedAt: null });
    expect(res.body.password).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const row = await api.db.mailboxAppPassword.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.passwordHash).toMatch(/^\{ARGON2ID\}\$argon2id\$/);
    expect(row.selector).toBe(res.body.password.slice(0, 4));
    expect(await api.app.get(PasswordHasher).verify(row.passwordHash, res.body.password)).toBe(true);

    const list = await owner.client.get(`/v1/mailboxes/${id}/app-passwords`);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([{ id: res.body.id, mailboxId: id, name: 'Phone', protocols: ['imap', 'smtp'], lastUsedAt: null, createdAt: expect.any(String) }]);
    expect(JSON.stringify(list.body)).not.toContain(res.body.password);

    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { action: 'app_password.create', targetId: res.body.id } });
    expect(audit.resellerId).toBe(owner.id);
    expect(JSON.stringify(audit)).not.toContain(res.body.password);
    expect(JSON.stringify(audit)).not.toContain(row.passwordHash);

    for (const body of [{}, { name: '' }, { name: 'x', protocols: ['web'] }, { name: 'x', extra: 1 }, { name: 'a\nb' }]) {
      const bad = await owner.client.post(`/v1/mailboxes/${id}/app-passwords`, body);
      expect(bad.status).toBe(422);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(await api.db.mailboxAppPassword.count({ where: { mailboxId: id } })).toBe(1);
  });

  it('logs in over IMAP with an app password; revoked, it no longer does; the main password still works', async () => {
    const id = await mailbox('imap@apps.test');
    const app = await appPassword(id, { name: 'Laptop' });
    expect(app.protocols).toEqual(['imap', 'pop3', 'smtp']);
    expect(await dovecot.imapLogin('imap@apps.test', app.password)).toBe(true);
    expect(await dovecot.pop3Login('imap@apps.test', app.password)).toBe(true);
    expect(await dovecot.authTest('imap@apps.test', app.password, 'smtp')).toBe(true);
    expect(await dovecot.imapLogin('imap@apps.test', PASSWORD)).toBe(true);
    // Right selector, wrong rest: Dovecot verifies the whole password against the hash.
    expect(await dovecot.imapLogin('imap@apps.test', `${app.password.slice(0, -1)}${app.password.endsWith('a') ? 'b' : 'a'}`)).toBe(false);

    const revoke = await owner.client.delete(`/v1/mailboxes/${id}/app-passwords/${app.id}`);
    expect(revoke.status).toBe(204);
    expect(await api.db.mailboxAppPassword.count({ where: { id: app.id } })).toBe(0);
    expect(await api.db.auditEntry.count({ where: { action: 'app_password.revoke', targetId: app.id } })).toBe(1);
    expect(await dovecot.imapLogin('imap@apps.test', app.password)).toBe(false);
    expect(await dovecot.imapLogin('imap@apps.test', PASSWORD)).toBe(true);
    expect((await owner.client.delete(`/v1/mailboxes/${id}/app-passwords/${app.id}`)).status).toBe(404);
  });

  it('keeps one limited to SMTP out of IMAP and POP3, and several app passwords apart', async () => {
    const id = await mailbox('smtp@apps.test');
    const smtp = await appPassword(id, { name: 'Scanner', protocols: ['smtp'] });
    const imap = await appPassword(id, { name: 'Tablet', protocols: ['imap'] });
    expect(await dovecot.authTest('smtp@apps.test', smtp.password, 'smtp')).toBe(true);
    expect(await dovecot.authTest('smtp@apps.test', smtp.password, 'submission')).toBe(true);
    expect(await dovecot.imapLogin('smtp@apps.test', smtp.password)).toBe(false);
    expect(await dovecot.pop3Login('smtp@apps.test', smtp.password)).toBe(false);
    expect(await dovecot.imapLogin('smtp@apps.test', imap.password)).toBe(true);
    expect(await dovecot.authTest('smtp@apps.test', imap.password, 'smtp')).toBe(false);
    // Another mailbox's app password opens nothing here.
    expect(await dovecot.imapLogin('list@apps.test', imap.password)).toBe(false);
  });

  it('is refused by Dovecot for a disabled or login-locked mailbox, as the main password is', async () => {
    const id = await mailbox('locked@apps.test');
    const app = await appPassword(id, { name: 'Phone' });
    expect(await dovecot.imapLogin('locked@apps.test', app.password)).toBe(true);
    expect((await owner.client.patch(`/v1/mailboxes/${id}`, { enabled: false })).status).toBe(200);
    expect(await dovecot.imapLogin('locked@apps.test', app.password)).toBe(false);
    expect((await owner.client.patch(`/v1/mailboxes/${id}`, { enabled: true })).status).toBe(200);
    await api.db.mailbox.update({ where: { id }, data: { loginLockedAt: new Date(), loginLockedReason: 'test' } });
    expect(await dovecot.imapLogin('locked@apps.test', app.password)).toBe(false);
    expect(await dovecot.imapLogin('locked@apps.test', PASSWORD)).toBe(false);
  });

  it('requires app passwords only once TOTP is on; then the main password opens nothing in Dovecot', async () => {
    const id = await mailbox('strict@apps.test');
    const app = await appPassword(id, { name: 'Phone' });
    const refused = await owner.client.patch(`/v1/mailboxes/${id}`, { requireAppPasswords: true });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('totp_required');
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).requireAppPasswords).toBe(false);

    // The owner turns TOTP on (part A's /v1/me routes call this same service).
    const totp = api.app.get(TotpService);
    const subject = { kind: 'mailbox' as const, id, resellerId: owner.id, accountName: 'strict@apps.test' };
    const { secret } = await totp.enrol(subject);
    const actor = { principal: { kind: 'apiKey' as const, id: 'test' }, resellerId: owner.id, readOnly: false, scopes: [], allowedIps: [], expiresAt: null, ip: '127.0.0.1', requestId: 't' };
    await totp.confirm(actor, subject, new TOTP({ secret: Secret.fromBase32(secret) }).generate());

    const on = await owner.client.patch(`/v1/mailboxes/${id}`, { requireAppPasswords: true });
    expect(on.status).toBe(200);
    expect(on.body.requireAppPasswords).toBe(true);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id } })).requireAppPasswords).toBe(true);
    expect(await dovecot.imapLogin('strict@apps.test', PASSWORD)).toBe(false);
    expect(await dovecot.pop3Login('strict@apps.test', PASSWORD)).toBe(false);
    expect(await dovecot.authTest('strict@apps.test', PASSWORD, 'smtp')).toBe(false);
    expect(await dovecot.imapLogin('strict@apps.test', app.password)).toBe(true);

    expect((await owner.client.patch(`/v1/mailboxes/${id}`, { requireAppPasswords: false })).status).toBe(200);
    expect(await dovecot.imapLogin('strict@apps.test', PASSWORD)).toBe(true);
  });

  it("answers 404 for another tenant's mailbox and 403 to a read-only key, and writes nothing", async () => {
    const id = await mailbox('tenant@apps.test');
    const app = await appPassword(id, { name: 'Phone' });
    const other = await api.reseller({}, 'Other');
    expect((await other.client.get(`/v1/mailboxes/${id}/app-passwords`)).status).toBe(404);
    expect((await other.client.post(`/v1/mailboxes/${id}/app-passwords`, { name: 'x' })).status).toBe(404);
    expect((await other.client.delete(`/v1/mailboxes/${id}/app-passwords/${app.id}`)).status).toBe(404);
    const readOnly = await api.keyLike(owner.client, { readOnly: true });
    expect((await readOnly.get(`/v1/mailboxes/${id}/app-passwords`)).status).toBe(200);
    expect((await readOnly.post(`/v1/mailboxes/${id}/app-passwords`, { name: 'x' })).status).toBe(403);
    expect((await readOnly.delete(`/v1/mailboxes/${id}/app-passwords/${app.id}`)).status).toBe(403);
    expect(await api.db.mailboxAppPassword.count({ where: { mailboxId: id } })).toBe(1);
  });

  it('sets lastUsedAt from Dovecot\'s auth-policy report of a successful login with it, and only that one', async () => {
    // A second Dovecot with the generated auth-policy block pointed at this API: its report names
    // the app password a login used (%{passdb:app_password_id}).
    const config = (await api.admin.get<MailServicesConfig>('/v1/mail-services/config')).body;
    const reporting = await TestDovecot.start(config, { authPolicyUrl: `${api.baseUrl}${AUTH_POLICY_PATH}` });
    try {
      const id = await mailbox('used@apps.test');
      const used = await appPassword(id, { name: 'Phone' });
      const unused = await appPassword(id, { name: 'Tablet' });
      // The main password and a wrong app password leave both untouched.
      expect(await reporting.imapLogin('used@apps.test', PASSWORD)).toBe(true);
      expect(await reporting.imapLogin('used@apps.test', `${used.password.slice(0, -1)}${used.password.endsWith('a') ? 'b' : 'a'}`)).toBe(false);
      const before = Date.now();
      expect(await reporting.imapLogin('used@apps.test', used.password)).toBe(true);
      await waitFor(async () => (await api.db.mailboxAppPassword.findUniqueOrThrow({ where: { id: used.id } })).lastUsedAt !== null, 10_000);
      const row = await api.db.mailboxAppPassword.findUniqueOrThrow({ where: { id: used.id } });
      expect(row.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((await api.db.mailboxAppPassword.findUniqueOrThrow({ where: { id: unused.id } })).lastUsedAt).toBeNull();
      const list = await owner.client.get(`/v1/mailboxes/${id}/app-passwords`);
      expect(list.body.items.find((item: { id: string }) => item.id === used.id).lastUsedAt).toBe(row.lastUsedAt!.toISOString());
      expect(list.body.items.find((item: { id: string }) => item.id === unused.id).lastUsedAt).toBeNull();
    } finally {
      await reporting.stop();
    }
  });
});
