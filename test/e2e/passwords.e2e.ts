import { PasswordHasher } from '../../src/passwords/password-hasher.service.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';

const BLF_SECRET = '{BLF-CRYPT}$2y$05$vmtv1OIfhBFWGl.3vB1.4ekXwN4ESp3/K7/wGzaMRzrPSxCcslNVy';
const SHA512_SECRET = '{SHA512-CRYPT}$6$AiW/ijerUt.1Bys2$l0C9tlVqoW28Zqan6oHlsjJFg1ZV9ycjjsMbgimkovcadpzcO..XOP8/pknhN3WmLo49cBOsVG2Fs4Nb3V5F80';

describe('passwords: policy, set, change, import', () => {
  let api: TestApi;
  let owner: { id: string; client: Client };
  let domainId: string;
  const codes = (res: { body: { errors?: { code: string }[] } }) => res.body.errors?.map((e) => e.code);

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.reseller({}, 'Owner');
    domainId = (await owner.client.post('/v1/domains', { name: 'pw.test' })).body.id;
  });
  afterAll(() => api?.close());

  it('rejects a weak password at creation with every violated rule at once, and writes nothing', async () => {
    const res = await owner.client.post('/v1/mailboxes', { address: 'alice@pw.test', password: 'qwertyui' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('password_rejected');
    expect(codes(res)).toEqual(['too_short', 'missing_uppercase', 'missing_digit', 'missing_symbol', 'common_password', 'too_weak']);
    expect(JSON.stringify(res.body)).not.toContain('qwertyui');
    expect(await api.db.mailbox.count()).toBe(0);
  });

  it('rejects a password built from the mailbox name, reversed or with look-alike characters', async () => {
    for (const password of ['Mai1-Alice-Walrus!', 'Ecila-Fjord-Walrus-9!', 'Al1c3!-Fjord-Walrus', 'Display-Walrus-Petunia-9!']) {
      const res = await owner.client.post('/v1/mailboxes', { address: 'alice@pw.test', password, displayName: 'Petunia Dursley' });
      expect({ password, status: res.status, codes: codes(res) }).toEqual({ password, status: 422, codes: ['contains_context'] });
    }
  });

  it('accepts a good password and stores only its {ARGON2ID} hash', async () => {
    const res = await owner.client.post('/v1/mailboxes', { address: 'alice@pw.test', password: GOOD_PASSWORD });
    expect(res.status).toBe(201);
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.passwordHash).toMatch(/^\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await api.app.get(PasswordHasher).verify(row.passwordHash, GOOD_PASSWORD)).toBe(true);
  });

  it.each([
    ['a NUL character', `${GOOD_PASSWORD}\u0000`, ['invalid_characters']],
    ['a control character', `${GOOD_PASSWORD}\u0007`, ['invalid_characters']],
    ['257 characters', `${GOOD_PASSWORD}${'x'.repeat(257 - GOOD_PASSWORD.length)}`, ['too_long']],
  ])('rejects a password with %s with its code', async (_, password, expected) => {
    const res = await owner.client.post('/v1/mailboxes', { address: 'bob@pw.test', password });
    expect(res.status).toBe(422);
    expect(codes(res)).toEqual(expected);
    expect(await api.db.mailbox.count({ where: { address: 'bob@pw.test' } })).toBe(0);
  });

  it('rejects a password that is not valid UTF-8', async () => {
    const body = Buffer.concat([Buffer.from('{"address":"bob@pw.test","password":"Quartz-Lantern-'), Buffer.from([0xff, 0xfe]), Buffer.from('-71!"}')]);
    const res = await fetch(`${api.baseUrl}/v1/mailboxes`, {
      method: 'POST', body, headers: { authorization: `Bearer ${owner.client.key}`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { code: string }[] }).errors.map((e) => e.code)).toEqual(['invalid_characters']);
    expect(await api.db.mailbox.count({ where: { address: 'bob@pw.test' } })).toBe(0);
  });

  it('lets a reseller choose the NIST preset: 15 characters, no composition rules', async () => {
    const set = await owner.client.put('/v1/password-policy', { policy: 'nist-800-63b' });
    expect(set.status).toBe(200);
    expect(set.body.effective).toMatchObject({ minLength: 15, requireUpper: false, requireSymbol: false, blocklist: true, context: true });
    expect((await api.db.reseller.findUniqueOrThrow({ where: { id: owner.id } })).passwordPolicy).toBe('nist-800-63b');
    const short = await owner.client.post('/v1/password-policy/check', { password: 'plum orbit tuba' .slice(0, 14) });
    expect(short.body).toEqual({ ok: false, violations: [expect.objectContaining({ code: 'too_short' })] });
    const fine = await owner.client.post('/v1/mailboxes', { address: 'nist@pw.test', password: 'plum orbit tuba vest' });
    expect(fine.status).toBe(201);
  });

  it('keeps a reseller from going below the platform floor', async () => {
    expect((await api.admin.put('/v1/password-policy/floor', { floor: { minLength: 12, requireSymbol: true, blocklist: true, context: true } })).status).toBe(200);
    const res = await owner.client.put('/v1/password-policy', { policy: { minLength: 8 } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'policy.minLength', code: 'weaker_than_floor' })]);
    // A policy stored before the floor rose is still held to it when evaluated.
    const check = await owner.client.post('/v1/password-policy/check', { password: 'plumorbittubavest' });
    expect(check.body.violations.map((v: { code: string }) => v.code)).toEqual(['missing_symbol']);
    await api.admin.put('/v1/password-policy/floor', { floor: { minLength: 12, blocklist: true, context: true } });
  });

  it('lets a domain be stricter than its reseller, never weaker', async () => {
    const weaker = await owner.client.put(`/v1/domains/${domainId}/password-policy`, { policy: { minLength: 10 } });
    expect(weaker.status).toBe(422);
    expect(weaker.body.errors).toEqual([expect.objectContaining({ field: 'policy.minLength', code: 'weaker_than_reseller' })]);
    const stricter = await owner.client.put(`/v1/domains/${domainId}/password-policy`, { policy: { minLength: 24 } });
    expect(stricter.status).toBe(200);
    expect(stricter.body.effective.minLength).toBe(24);
    const check = await owner.client.post('/v1/password-policy/check', { password: 'plum orbit tuba vest', address: 'new@pw.test' });
    expect(check.body.violations.map((v: { code: string }) => v.code)).toEqual(['too_short']);
    const elsewhere = await owner.client.post('/v1/password-policy/check', { password: 'plum orbit tuba vest', address: 'new@unhosted.test' });
    expect(elsewhere.body).toEqual({ ok: true, violations: [] });
    await owner.client.put(`/v1/domains/${domainId}/password-policy`, { policy: null });
  });

  it('sets a password as admin, refuses the last N, and keeps the history', async () => {
    await owner.client.put('/v1/password-policy', { policy: { historySize: 2 } });
    const { body: box } = await owner.client.post('/v1/mailboxes', { address: 'hist@pw.test', password: 'First-Quartz-Lantern-1!' });
    expect((await owner.client.put(`/v1/mailboxes/${box.id}/password`, { password: 'Second-Quartz-Lantern-2!' })).status).toBe(204);
    const reuse = await owner.client.put(`/v1/mailboxes/${box.id}/password`, { password: 'First-Quartz-Lantern-1!' });
    expect(reuse.status).toBe(422);
    expect(codes(reuse)).toEqual(['reused_password']);
    expect((await owner.client.put(`/v1/mailboxes/${box.id}/password`, { password: 'Third-Quartz-Lantern-3!' })).status).toBe(204);
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: box.id } });
    expect(await api.app.get(PasswordHasher).verify(row.passwordHash, 'Third-Quartz-Lantern-3!')).toBe(true);
    expect(await api.db.passwordHistoryEntry.count({ where: { mailboxId: box.id } })).toBe(2);
    const audit = await api.db.auditEntry.findMany({ where: { targetId: box.id, action: 'mailbox.password_set' } });
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toMatch(/argon2|Quartz/);
  });

  it('changes a password only with the current one', async () => {
    const created = await owner.client.post('/v1/mailboxes', { address: 'carol@pw.test', password: 'Mango-Quartz-Lantern-1!' });
    expect(created.status).toBe(201);
    const box = created.body;
    const wrong = await owner.client.post(`/v1/mailboxes/${box.id}/password/change`, { currentPassword: 'nope', newPassword: 'Mango-Quartz-Lantern-2!' });
    expect(wrong.status).toBe(422);
    expect(codes(wrong)).toEqual(['current_password_incorrect']);
    const right = await owner.client.post(`/v1/mailboxes/${box.id}/password/change`, { currentPassword: 'Mango-Quartz-Lantern-1!', newPassword: 'Mango-Quartz-Lantern-2!' });
    expect(right.status).toBe(204);
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: box.id } });
    expect(await api.app.get(PasswordHasher).verify(row.passwordHash, 'Mango-Quartz-Lantern-2!')).toBe(true);
    const missing = await owner.client.post('/v1/mailboxes/00000000-0000-4000-8000-000000000000/password/change', { currentPassword: 'x', newPassword: 'y' });
    expect(missing.status).toBe(404);
  });

  it('imports mailboxes with existing hashes, row by row, and a re-run changes nothing', async () => {
    const rows = [
      { address: 'blf@pw.test', passwordHash: BLF_SECRET },
      { address: 'sha@pw.test', passwordHash: SHA512_SECRET, displayName: 'Imported' },
      { address: 'md5@pw.test', passwordHash: '{MD5}1a1dc91c907325c69271ddf0c944bc72' },
      { address: 'cut@pw.test', passwordHash: BLF_SECRET.slice(0, -3) },
      { address: 'x@unhosted.test', passwordHash: BLF_SECRET },
    ];
    const first = await owner.client.post('/v1/mailboxes/import', { mailboxes: rows });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 2, exists: 0, failed: 3 });
    expect(first.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status))
      .toEqual(['created', 'created', 'unknown_hash_scheme', 'malformed_hash', 'unknown_domain']);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { address: 'blf@pw.test' } })).passwordHash).toBe(BLF_SECRET);
    const again = await owner.client.post('/v1/mailboxes/import', { mailboxes: rows });
    expect(again.body).toMatchObject({ created: 0, exists: 2, failed: 3 });
    expect(await api.db.mailbox.count({ where: { address: { in: ['blf@pw.test', 'sha@pw.test'] } } })).toBe(2);
    const id = first.body.results[0].id;
    // {BLF-CRYPT} the API verifies with bcryptjs: a wrong current password is refused, the right one changes it.
    const blfWrong = await owner.client.post(`/v1/mailboxes/${id}/password/change`, { currentPassword: 'Secret', newPassword: GOOD_PASSWORD });
    expect(blfWrong.status).toBe(422);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { address: 'blf@pw.test' } })).passwordHash).toBe(BLF_SECRET);
    const change = await owner.client.post(`/v1/mailboxes/${id}/password/change`, { currentPassword: 'secret', newPassword: GOOD_PASSWORD });
    expect(change.status).toBe(204);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { address: 'blf@pw.test' } })).passwordHash).toMatch(/^\{ARGON2ID\}/);

    // SHA-crypt the API verifies itself (src/passwords/sha-crypt.ts): the owner of an imported
    // {SHA512-CRYPT} mailbox changes the password with the old one, and it becomes {ARGON2ID}.
    const sha = first.body.results[1].id;
    const wrong = await owner.client.post(`/v1/mailboxes/${sha}/password/change`, { currentPassword: 'Secret', newPassword: GOOD_PASSWORD });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword', code: 'current_password_incorrect' })]);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { address: 'sha@pw.test' } })).passwordHash).toBe(SHA512_SECRET);
    const changed = await owner.client.post(`/v1/mailboxes/${sha}/password/change`, { currentPassword: 'secret', newPassword: GOOD_PASSWORD });
    expect(changed.status).toBe(204);
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { address: 'sha@pw.test' } });
    expect(row.passwordHash).toMatch(/^\{ARGON2ID\}/);
    expect(await api.app.get(PasswordHasher).verify(row.passwordHash, GOOD_PASSWORD)).toBe(true);
    expect(await api.db.auditEntry.count({ where: { action: 'mailbox.password_change', targetId: sha } })).toBe(1);
  });

  it('refuses a whole import whose hashes cost more than the ceilings to verify, and imports each one exactly at them', async () => {
    // Import checks syntax only (Dovecot verifies), so a real argon2id hash with its parameters
    // rewritten stands for one made at them.
    const argon2 = (params: string) => `{ARGON2ID}$argon2id$v=19$${params}$urfUK8Q1AoKN7C5aPzc36w$f3gfrsdfsHq5Co6UC26k86Et+U0E0lbYCtDDVpf44Dc`;
    const bcrypt = (cost: number) => BLF_SECRET.replace('$05$', `$${cost}$`);
    const shaCrypt = (rounds: number) => SHA512_SECRET.replace('$6$', `$6$rounds=${rounds}$`);
    const over = [argon2('m=262145,t=10,p=4'), argon2('m=262144,t=11,p=4'), argon2('m=262144,t=10,p=5'), bcrypt(15), shaCrypt(1_000_001)];
    const before = await api.db.mailbox.count();
    for (const [i, passwordHash] of over.entries()) {
      const rows = [{ address: `fine${i}@pw.test`, passwordHash: BLF_SECRET }, { address: `costly${i}@pw.test`, passwordHash }];
      const res = await owner.client.post('/v1/mailboxes/import', { mailboxes: rows });
      expect({ passwordHash, status: res.status, code: res.body.code, errors: res.body.errors?.map((e: { field: string; code: string }) => [e.field, e.code]) })
        .toEqual({ passwordHash, status: 422, code: 'validation_failed', errors: [['mailboxes.1.passwordHash', 'hash_cost_too_high']] });
    }
    expect(await api.db.mailbox.count()).toBe(before);

    const atCeiling = [argon2('m=262144,t=10,p=4'), bcrypt(14), shaCrypt(1_000_000)];
    const ok = await owner.client.post('/v1/mailboxes/import', { mailboxes: atCeiling.map((passwordHash, i) => ({ address: `ceiling${i}@pw.test`, passwordHash })) });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ created: 3, failed: 0 });
    const stored = await api.db.mailbox.findMany({ where: { address: { startsWith: 'ceiling' } }, orderBy: { address: 'asc' } });
    expect(stored.map((m) => m.passwordHash)).toEqual(atCeiling);
  });
});
