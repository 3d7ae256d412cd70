import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { TestApi } from '../../test/support/api.js';
import type { Caller } from '../auth/caller.js';
import { deriveKey, seal } from '../common/secrets.js';
import { CONFIG, type Config } from '../config/config.js';
import type { TotpSubject } from './totp-subject.js';
import { TotpService } from './totp.service.js';

// Against the real PostgreSQL and Redis of a test app: the replay guard and the single use of
// recovery codes are exactly what those stores must enforce.
describe('TotpService', () => {
  let api: TestApi;
  let totp: TotpService;
  const actor: Caller = { principal: { kind: 'apiKey', id: randomUUID() }, resellerId: null, readOnly: false, scopes: [], allowedIps: [], expiresAt: null, ip: '127.0.0.1', requestId: 'test' };
  const subject = (): TotpSubject => ({ kind: 'user', id: randomUUID(), resellerId: null, accountName: 'alice@example.com' });
  const codeAt = (secret: Secret, ms: number) => new TOTP({ secret }).generate({ timestamp: ms });
  const row = (who: TotpSubject) => api.db.totpEnrolment.findUniqueOrThrow({ where: { subjectKind_subjectId: { subjectKind: who.kind, subjectId: who.id } } });

  beforeAll(async () => {
    api = await TestApi.start();
    totp = api.app.get(TotpService);
  });
  afterEach(() => { totp.clock = Date.now; });
  afterAll(() => api?.close());

  /** A confirmed enrolment at `at` (ms); the confirming code's step is then used up. */
  async function enrolled(at: number, who = subject()) {
    const data = await totp.enrol(who);
    const secret = Secret.fromBase32(data.secret);
    totp.clock = () => at;
    const { recoveryCodes } = await totp.confirm(actor, who, codeAt(secret, at));
    return { who, secret, recoveryCodes };
  }

  // RFC 6238 Appendix B, SHA1 with the seed "12345678901234567890": the last six of its eight digits.
  it.each([
    [59, '287082'], [1111111109, '081804'], [1111111111, '050471'], [1234567890, '005924'], [2000000000, '279037'], [20000000000, '353130'],
  ])('accepts at T=%i s the RFC 6238 code %s', async (seconds, code) => {
    const who = subject();
    await totp.enrol(who);
    // The RFC's seed in place of the random secret, sealed as the service seals.
    const key = deriveKey(api.app.get<Config>(CONFIG), 'totp-secret');
    await api.db.totpEnrolment.update({ where: { id: (await row(who)).id }, data: { secretSealed: new Uint8Array(seal(key, Buffer.from('12345678901234567890'))) } });
    totp.clock = () => seconds * 1000;
    expect(await totp.verify(who, code)).toBe(false); // not confirmed yet: no code counts
    await totp.confirm(actor, who, code);
    expect((await row(who)).confirmedAt).not.toBeNull();
    const other = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(await totp.verify(who, other)).toBe(false);
  });

  it('enrols with a secret, an otpauth:// URL and an SVG QR code, and counts only after a confirming code', async () => {
    const who = subject();
    const data = await totp.enrol(who);
    expect(data.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(data.otpauthUrl).toBe(`otpauth://totp/Postmaster:alice%40example.com?issuer=Postmaster&secret=${data.secret}&algorithm=SHA1&digits=6&period=30`);
    expect(data.qrCodeSvg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
    expect(await totp.isEnabled(who)).toBe(false);
    const wrong = await totp.confirm(actor, who, '000000').catch((e) => e);
    expect(wrong.response ?? wrong).toMatchObject({ status: 422 });
    expect((await row(who)).confirmedAt).toBeNull();
    const at = Date.now();
    totp.clock = () => at;
    const { recoveryCodes } = await totp.confirm(actor, who, codeAt(Secret.fromBase32(data.secret), at));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await totp.isEnabled(who)).toBe(true);
    expect(await api.db.auditEntry.count({ where: { action: 'totp.enable', targetId: who.id } })).toBe(1);
    // A second enrolment while on is refused, and the secret in force is untouched.
    const sealed = (await row(who)).secretSealed;
    await expect(totp.enrol(who)).rejects.toMatchObject({ status: 409 });
    expect(Buffer.from((await row(who)).secretSealed).equals(Buffer.from(sealed))).toBe(true);
  });

  it('accepts a code one step early or late, but not two', async () => {
    const start = 1_700_000_000_000;
    const { who, secret } = await enrolled(start);
    totp.clock = () => start + 5 * 30_000;
    expect(await totp.verify(who, codeAt(secret, start + 3 * 30_000))).toBe(false);
    expect(await totp.verify(who, codeAt(secret, start + 7 * 30_000))).toBe(false);
    expect(await totp.verify(who, codeAt(secret, start + 4 * 30_000))).toBe(true);
    expect(await totp.verify(who, codeAt(secret, start + 6 * 30_000))).toBe(true);
    expect(await totp.verify(who, codeAt(secret, start + 5 * 30_000))).toBe(true);
  });

  it('refuses a code already accepted, even when both arrive at once, and in the next step', async () => {
    const start = 1_700_000_300_000;
    const { who, secret } = await enrolled(start);
    totp.clock = () => start + 60_000;
    const code = codeAt(secret, start + 60_000);
    const results = await Promise.all([totp.verify(who, code), totp.verify(who, code), totp.verify(who, code)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    totp.clock = () => start + 90_000;
    expect(await totp.verify(who, code)).toBe(false);
    // The confirming code was accepted too, so it cannot open a login afterwards.
    totp.clock = () => start;
    expect(await totp.verify(who, codeAt(secret, start))).toBe(false);
    // Another subject's use of the same digits does not count against this one.
    const other = await enrolled(start + 600_000);
    totp.clock = () => start + 600_000 + 30_000;
    expect(await totp.verify(other.who, codeAt(other.secret, start + 600_000 + 30_000))).toBe(true);
  });

  it('accepts each recovery code once, in any case and spacing, and none after TOTP is off', async () => {
    const { who, recoveryCodes } = await enrolled(Date.now());
    expect(await totp.useRecoveryCode(who, 'aaaaa-aaaaa')).toBe(false);
    expect(await totp.useRecoveryCode(who, recoveryCodes[0].toUpperCase().replace('-', ' '))).toBe(true);
    expect(await totp.useRecoveryCode(who, recoveryCodes[0])).toBe(false);
    const racing = await Promise.all([totp.useRecoveryCode(who, recoveryCodes[1]), totp.useRecoveryCode(who, recoveryCodes[1])]);
    expect(racing.filter(Boolean)).toHaveLength(1);
    expect(await totp.remainingRecoveryCodes(who)).toBe(8);
    const rows = await api.db.totpRecoveryCode.findMany({ where: { subjectId: who.id } });
    expect(rows.filter((r) => r.usedAt)).toHaveLength(2);
    for (const code of recoveryCodes) expect(JSON.stringify(rows)).not.toContain(code.replace('-', ''));

    const fresh = await totp.regenerateRecoveryCodes(actor, who);
    expect(await totp.useRecoveryCode(who, recoveryCodes[2])).toBe(false);
    expect(await totp.remainingRecoveryCodes(who)).toBe(10);
    await totp.disable(actor, who);
    expect(await totp.useRecoveryCode(who, fresh.recoveryCodes[0])).toBe(false);
    expect(await api.db.totpEnrolment.count({ where: { subjectId: who.id } })).toBe(0);
    expect(await api.db.totpRecoveryCode.count({ where: { subjectId: who.id } })).toBe(0);
    expect(await api.db.auditEntry.count({ where: { action: { in: ['totp.disable', 'totp.recovery_codes_regenerate'] }, targetId: who.id } })).toBe(2);
  });

  it('stores the secret sealed: the column holds neither the base32 secret nor its bytes', async () => {
    const who = subject();
    const { secret } = await totp.enrol(who);
    const stored = Buffer.from((await row(who)).secretSealed);
    const raw = Buffer.from(Secret.fromBase32(secret).bytes);
    expect(stored.includes(raw)).toBe(false);
    expect(stored.toString('latin1')).not.toContain(secret);
    const [{ text }] = await api.db.$queryRaw<{ text: string }[]>`SELECT encode(secret_sealed, 'escape') AS text FROM totp_enrolments WHERE subject_id = ${who.id}::uuid`;
    expect(text).not.toContain(secret);
    expect(stored.length).toBe(12 + 16 + raw.length); // AES-256-GCM: iv, tag, ciphertext
  });
});
