import { Secret, TOTP } from 'otpauth';
import { TotpService } from '../../src/totp/totp.service.js';
import { GOOD_PASSWORD, TestApi } from '../support/api.js';
import { SessionClient, sessionCookieOf, staff } from '../support/people.js';

// Issue 12, items 5 and 9 over HTTP: TOTP enrolment for the logged-in person, the login's second
// step (replay refused, recovery codes single use), STAFF_TOTP_REQUIRED, and the audit of every
// MFA change with the person as actor and no secret in it. Item 7: reset requests throttled.
const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);
const STEP_MS = 30_000;

describe('TOTP for people', () => {
  let api: TestApi;
  let strict: TestApi;
  let resellerId: string;

  const codeAt = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
  const setClock = (app: TestApi, at: number) => { app.app.get(TotpService).clock = () => at; };

  async function enrolled(app: TestApi, email: string, at = T0) {
    const { id, session } = await staff(app, email, 'reseller-admin', resellerId);
    setClock(app, at);
    const enrol = await session.post('/v1/me/mfa/totp');
    expect(enrol.status).toBe(201);
    const confirm = await session.post('/v1/me/mfa/totp/confirm', { code: codeAt(enrol.body.secret, at) });
    expect(confirm.status).toBe(200);
    return { id, session, secret: enrol.body.secret as string, recoveryCodes: confirm.body.recoveryCodes as string[] };
  }

  async function passwordStep(app: TestApi, email: string): Promise<string> {
    const res = await app.client().post('/v1/auth/login', { email, password: GOOD_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ mfaRequired: true, challenge: expect.any(String) });
    expect(sessionCookieOf(res)).toBeUndefined();
    return res.body.challenge;
  }

  beforeAll(async () => {
    api = await TestApi.start();
    resellerId = (await api.reseller({}, 'Mfa')).id;
  });
  afterAll(() => api?.close());

  it('enrols: secret, otpauth URL and SVG QR code; in force only after a confirming code; audited without the secret', async () => {
    const { id, session } = await staff(api, 'enrol@mfa.test', 'reseller-admin', resellerId);
    setClock(api, T0);
    const enrol = await session.post('/v1/me/mfa/totp');
    expect(enrol.status).toBe(201);
    expect(enrol.body.otpauthUrl).toBe(`otpauth://totp/Postmaster:enrol%40mfa.test?issuer=Postmaster&secret=${enrol.body.secret}&algorithm=SHA1&digits=6&period=30`);
    expect(enrol.body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(await api.db.totpEnrolment.findFirstOrThrow({ where: { subjectKind: 'user', subjectId: id } })).toMatchObject({ confirmedAt: null });
    expect((await session.get('/v1/me')).body.mfa).toBe(false);

    const wrong = await session.post('/v1/me/mfa/totp/confirm', { code: codeAt(enrol.body.secret, T0 + 5 * STEP_MS) });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'code', code: 'invalid_totp_code' })]);
    const confirm = await session.post('/v1/me/mfa/totp/confirm', { code: codeAt(enrol.body.secret, T0) });
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    expect((await api.db.totpEnrolment.findFirstOrThrow({ where: { subjectKind: 'user', subjectId: id } })).confirmedAt).not.toBeNull();
    expect(await api.db.totpRecoveryCode.count({ where: { subjectId: id, usedAt: null } })).toBe(10);
    expect((await session.get('/v1/me')).body.mfa).toBe(true);

    const audit = await api.db.auditEntry.findMany({ where: { actorType: 'user', actorId: id, action: { startsWith: 'totp.' } }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['totp.enrol', 'totp.enable']);
    const text = JSON.stringify(audit);
    expect(text).not.toContain(enrol.body.secret);
    for (const code of confirm.body.recoveryCodes) expect(text).not.toContain(code);
    expect((await api.admin.post('/v1/me/mfa/totp')).status).toBe(403);
  });

  it('asks for the second step; a code works once, a challenge once, and a wrong code ends the attempt', async () => {
    const { id, secret } = await enrolled(api, 'login@mfa.test');
    const challenge = await passwordStep(api, 'login@mfa.test');
    const code = codeAt(secret, T0 + STEP_MS);
    const ok = await api.client().post('/v1/auth/login/totp', { challenge, code });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ kind: 'user', user: { id, email: 'login@mfa.test' }, csrfToken: expect.any(String) });
    const session = new SessionClient(api.baseUrl, sessionCookieOf(ok)!, ok.body.csrfToken);
    expect((await session.get('/v1/me')).body).toMatchObject({ kind: 'user', id, mfa: true });
    expect(await api.db.session.count({ where: { userId: id } })).toBe(2);
    expect(await api.db.auditEntry.count({ where: { action: 'user.login', actorId: id, after: { path: ['secondFactor'], equals: 'totp' } } })).toBe(1);

    // The same code again, with a fresh challenge: refused within its window (RFC 6238 §5.2).
    const replay = await api.client().post('/v1/auth/login/totp', { challenge: await passwordStep(api, 'login@mfa.test'), code });
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 401, code: 'invalid_second_factor' });
    expect(sessionCookieOf(replay)).toBeUndefined();
    // The used challenge is gone too.
    const reused = await api.client().post('/v1/auth/login/totp', { challenge, code: codeAt(secret, T0 - STEP_MS) });
    expect(reused.status).toBe(401);
    expect(await api.db.session.count({ where: { userId: id } })).toBe(2);
    expect(await api.db.auditEntry.count({ where: { action: 'user.login_failed', actorId: id, after: { path: ['step'], equals: 'totp' } } })).toBe(1);

    const neither = await api.client().post('/v1/auth/login/totp', { challenge: 'x' });
    expect(neither.status).toBe(422);
    const bad = await api.client().post('/v1/auth/login/totp', { challenge: 'x', code: '12345' });
    expect(bad.status).toBe(422);
  });

  it('takes each recovery code once instead of a code', async () => {
    const { id, recoveryCodes } = await enrolled(api, 'recovery@mfa.test');
    const first = await api.client().post('/v1/auth/login/totp', { challenge: await passwordStep(api, 'recovery@mfa.test'), recoveryCode: recoveryCodes[3]!.toUpperCase() });
    expect(first.status).toBe(200);
    expect(await api.db.totpRecoveryCode.count({ where: { subjectId: id, usedAt: { not: null } } })).toBe(1);
    const again = await api.client().post('/v1/auth/login/totp', { challenge: await passwordStep(api, 'recovery@mfa.test'), recoveryCode: recoveryCodes[3] });
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 401, code: 'invalid_second_factor' });
    const other = await api.client().post('/v1/auth/login/totp', { challenge: await passwordStep(api, 'recovery@mfa.test'), recoveryCode: recoveryCodes[4] });
    expect(other.status).toBe(200);
    expect(await api.db.totpRecoveryCode.count({ where: { subjectId: id, usedAt: { not: null } } })).toBe(2);
  });

  it('regenerates recovery codes and turns TOTP off only with a current code', async () => {
    const { id, session, secret, recoveryCodes } = await enrolled(api, 'off@mfa.test');
    const noCode = await session.post('/v1/me/mfa/totp/recovery-codes', { code: '000000' });
    expect(noCode.status).toBe(422);
    const fresh = await session.post('/v1/me/mfa/totp/recovery-codes', { code: codeAt(secret, T0 + STEP_MS) });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect(fresh.body.recoveryCodes).not.toContain(recoveryCodes[0]);
    const old = await api.client().post('/v1/auth/login/totp', { challenge: await passwordStep(api, 'off@mfa.test'), recoveryCode: recoveryCodes[0] });
    expect(old.status).toBe(401);

    const wrong = await session.request('DELETE', '/v1/me/mfa/totp', { code: codeAt(secret, T0 + 9 * STEP_MS) });
    expect(wrong.status).toBe(422);
    expect(await api.db.totpEnrolment.count({ where: { subjectId: id } })).toBe(1);
    const off = await session.request('DELETE', '/v1/me/mfa/totp', { code: codeAt(secret, T0 - STEP_MS) });
    expect(off.status).toBe(204);
    expect(await api.db.totpEnrolment.count({ where: { subjectId: id } })).toBe(0);
    expect(await api.db.totpRecoveryCode.count({ where: { subjectId: id } })).toBe(0);
    const actions = (await api.db.auditEntry.findMany({ where: { actorId: id, action: { startsWith: 'totp.' } } })).map((a) => a.action).sort();
    expect(actions).toEqual(['totp.disable', 'totp.enable', 'totp.enrol', 'totp.recovery_codes_regenerate']);
    // Without TOTP the password alone opens a session again.
    const login = await api.client().post('/v1/auth/login', { email: 'off@mfa.test', password: GOOD_PASSWORD });
    expect(login.body).toMatchObject({ kind: 'user', csrfToken: expect.any(String) });
  });

  // Both apps share this worker's database and start() empties it: this one starts after the tests above.
  describe('with its own settings', () => {
    beforeAll(async () => {
      strict = await TestApi.start({ STAFF_TOTP_REQUIRED: 'true', PASSWORD_RESET_ADDRESS_REQUESTS: '2', PASSWORD_RESET_IP_REQUESTS: '5' });
    });
    afterAll(() => strict?.close());

    it('with STAFF_TOTP_REQUIRED, lets a staff session without TOTP only enrol; API keys are unaffected', async () => {
      const { id, session } = await staff(strict, 'must@mfa.test', 'platform-admin');
      const blocked = await session.get('/v1/domains');
      expect({ status: blocked.status, code: blocked.body.code }).toEqual({ status: 403, code: 'mfa_enrolment_required' });
      const write = await session.post('/v1/domains', { name: 'blocked.test' });
      expect(write.status).toBe(403);
      expect(await strict.db.domain.count({ where: { name: 'blocked.test' } })).toBe(0);
      expect((await session.get('/v1/me')).body).toMatchObject({ id, mfa: false, mfaEnrolmentRequired: true });
      const login = await strict.client().post('/v1/auth/login', { email: 'must@mfa.test', password: GOOD_PASSWORD });
      expect(login.body.mfaEnrolmentRequired).toBe(true);
      expect((await strict.admin.get('/v1/domains')).status).toBe(200);

      setClock(strict, T0);
      const enrol = await session.post('/v1/me/mfa/totp');
      expect(enrol.status).toBe(201);
      expect((await session.post('/v1/me/mfa/totp/confirm', { code: codeAt(enrol.body.secret, T0) })).status).toBe(200);
      expect((await session.get('/v1/domains')).status).toBe(200);
      expect((await session.get('/v1/me')).body).toMatchObject({ mfa: true, mfaEnrolmentRequired: false });
    });

    it('throttles password-reset requests per address and per IP, whether or not the account exists', async () => {
      await staff(strict, 'reset@mfa.test', 'platform-admin');
      const ask = (email: string) => strict.client().post('/v1/auth/password-reset', { email });
      const statuses = async (email: string, n: number) => { const out = []; for (let i = 0; i < n; i++) out.push((await ask(email)).status); return out; };
      expect(await statuses('reset@mfa.test', 3)).toEqual([202, 202, 429]);
      expect(await statuses('nobody@mfa.test', 3)).toEqual([202, 202, 429]);
      const limited = await ask('third@mfa.test');
      expect({ status: limited.status, code: limited.body.code }).toEqual({ status: 429, code: 'too_many_reset_requests' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      const user = await strict.db.user.findUniqueOrThrow({ where: { email: 'reset@mfa.test' } });
      expect(await strict.db.passwordResetToken.count({ where: { userId: user.id } })).toBe(2);
    });
  });
});
