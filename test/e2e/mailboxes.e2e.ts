import { createHash } from 'node:crypto';
import { PasswordHasher } from '../../src/passwords/password-hasher.service.js';
import { GOOD_PASSWORD, type Client, TestApi } from '../support/api.js';

// Dovecot's scheme prefix and the OWASP-minimum Argon2id parameters (config defaults).
const HASH_PREFIX = '{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$';
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Whatever a response or an audit entry shows, it never carries the password hash. */
function expectNoSecret(value: unknown) {
  expect(JSON.stringify(value)).not.toMatch(/argon2|hash|correct horse/i);
}

describe('mailboxes', () => {
  let api: TestApi;
  let owner: { id: string; client: Client; domainId: string };
  let other: { id: string; client: Client; domainId: string };

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.resellerWithDomain('owner.test');
    other = await api.resellerWithDomain('other.test');
  });
  afterAll(() => api?.close());

  it('creates a mailbox whose Argon2id hash no endpoint ever returns', async () => {
    const created = await owner.client.post('/v1/mailboxes', { address: 'Alice@Owner.test', password: GOOD_PASSWORD, displayName: 'Alice' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      address: 'alice@owner.test',
      unicodeAddress: 'alice@owner.test',
      domainId: owner.domainId,
      displayName: 'Alice',
      quotaBytes: GIB,
      enabled: true,
      protocols: { imap: true, pop3: true, smtp: true },
      requireAppPasswords: false,
      sendLimits: null,
      sending: { suspended: false, suspendedAt: null, reason: null },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.passwordHash.startsWith(HASH_PREFIX)).toBe(true);
    expect(await api.app.get(PasswordHasher).verify(row.passwordHash, GOOD_PASSWORD)).toBe(true);
    expect(row).toMatchObject({ localPart: 'alice', address: 'alice@owner.test', quotaBytes: BigInt(GIB) });
    expect(await api.db.nameClaim.findUnique({ where: { name: 'alice@owner.test' } })).toMatchObject({ mailboxId: row.id });

    const got = await owner.client.get(`/v1/mailboxes/${row.id}`);
    const listed = await owner.client.get('/v1/mailboxes');
    const updated = await owner.client.patch(`/v1/mailboxes/${row.id}`, { displayName: 'Alice A.' });
    expect([got.status, listed.status, updated.status]).toEqual([200, 200, 200]);
    expect(got.body).toEqual(created.body);
    expect(listed.body.items).toEqual([created.body]);
    for (const body of [created.body, got.body, listed.body, updated.body]) expectNoSecret(body);

    const audit = await api.db.auditEntry.findMany({ where: { targetId: row.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['mailbox.create', 'mailbox.update']);
    expect(audit[0]).toMatchObject({ resellerId: owner.id, targetType: 'mailbox', after: { address: 'alice@owner.test' } });
    for (const entry of audit) expectNoSecret([entry.before, entry.after]);
  });

  it('stores an IDN address with its A-label domain and shows the Unicode form', async () => {
    const domain = await owner.client.post('/v1/domains', { name: 'Bücher.test' });
    const created = await owner.client.post('/v1/mailboxes', { address: 'Kathe@BÜCHER.test', password: GOOD_PASSWORD });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      address: 'kathe@xn--bcher-kva.test', unicodeAddress: 'kathe@bücher.test', domainId: domain.body.id,
    });
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row).toMatchObject({ localPart: 'kathe', address: 'kathe@xn--bcher-kva.test' });

    const again = await owner.client.post('/v1/mailboxes', { address: 'kathe@xn--bcher-kva.test', password: GOOD_PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'address_taken', errors: [{ field: 'address', code: 'address_taken' }] });
    expect(await api.db.mailbox.count({ where: { domainId: domain.body.id } })).toBe(1);
  });

  it('refuses an address in an unknown domain, and in another reseller\'s domain exactly alike', async () => {
    const before = await api.db.mailbox.count();
    const unknown = await owner.client.post('/v1/mailboxes', { address: 'bob@nowhere.test', password: GOOD_PASSWORD });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'address', code: 'unknown_domain' }] });

    const foreign = await owner.client.post('/v1/mailboxes', { address: 'bob@other.test', password: GOOD_PASSWORD });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toEqual(unknown.body);
    expect(foreign.headers['content-type']).toBe(unknown.headers['content-type']);
    expect(await api.db.mailbox.count()).toBe(before);
  });

  it('refuses an address already used by an alias or by another mailbox, and changes nothing', async () => {
    const alias = await owner.client.post('/v1/aliases', { source: 'sales@owner.test', destinations: ['alice@owner.test'] });
    expect(alias.status).toBe(201);
    const before = await api.db.mailbox.findMany({ orderBy: { id: 'asc' } });

    for (const address of ['sales@owner.test', 'ALICE@owner.test']) {
      const res = await owner.client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'address_taken', errors: [{ field: 'address', code: 'address_taken' }] });
    }
    expect(await api.db.mailbox.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    expect(await api.db.nameClaim.findUnique({ where: { name: 'sales@owner.test' } })).toMatchObject({ aliasId: alias.body.id, mailboxId: null });
  });

  it('gets and lists with domainId and prefix filters and cursor pagination', async () => {
    const lister = await api.resellerWithDomain('list.test');
    const second = await lister.client.post('/v1/domains', { name: 'second.test' });
    for (const address of ['ab@list.test', 'a@list.test', 'b@list.test', 'a@second.test']) {
      expect((await lister.client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD })).status).toBe(201);
    }
    const addresses = (res: { body: { items: { address: string }[] } }) => res.body.items.map((m) => m.address);

    const all = await lister.client.get('/v1/mailboxes');
    expect(all.status).toBe(200);
    expect(addresses(all)).toEqual(['a@list.test', 'a@second.test', 'ab@list.test', 'b@list.test']);
    expect(all.body.nextCursor).toBeNull();

    expect(addresses(await lister.client.get(`/v1/mailboxes?domainId=${second.body.id}`))).toEqual(['a@second.test']);
    expect(addresses(await lister.client.get(`/v1/mailboxes?domainId=${lister.domainId}&q=A`))).toEqual(['a@list.test', 'ab@list.test']);
    expect((await lister.client.get(`/v1/mailboxes?domainId=${owner.domainId}`)).body).toEqual({ items: [], nextCursor: null });

    const page1 = await lister.client.get('/v1/mailboxes?q=a&limit=2');
    expect(addresses(page1)).toEqual(['a@list.test', 'a@second.test']);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await lister.client.get(`/v1/mailboxes?q=a&limit=2&cursor=${page1.body.nextCursor}`);
    expect(addresses(page2)).toEqual(['ab@list.test']);
    expect(page2.body.nextCursor).toBeNull();

    const one = all.body.items[0];
    expect((await lister.client.get(`/v1/mailboxes/${one.id}`)).body).toEqual(one);
    const foreign = await other.client.get(`/v1/mailboxes/${one.id}`);
    const missing = await other.client.get('/v1/mailboxes/00000000-0000-4000-8000-000000000000');
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(foreign.body).toEqual(missing.body);
  });

  it('updates only the fields a PATCH names, protocols one by one', async () => {
    const { body: mailbox } = await owner.client.post('/v1/mailboxes', {
      address: 'patch@owner.test', password: GOOD_PASSWORD, displayName: 'Patch', quotaBytes: 2 * GIB,
    });
    const hashBefore = (await api.db.mailbox.findUniqueOrThrow({ where: { id: mailbox.id } })).passwordHash;

    const res = await owner.client.patch(`/v1/mailboxes/${mailbox.id}`, { protocols: { imap: false } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      displayName: 'Patch', quotaBytes: 2 * GIB, enabled: true, protocols: { imap: false, pop3: true, smtp: true },
    });
    // Postfix and Dovecot read these columns directly.
    const columns = () => api.db.$queryRaw<unknown[]>`
      SELECT display_name, quota_bytes::text AS quota_bytes, enabled, imap_enabled, pop3_enabled, smtp_enabled, password_hash
      FROM mailboxes WHERE id = ${mailbox.id}::uuid`;
    expect(await columns()).toEqual([{
      display_name: 'Patch', quota_bytes: String(2 * GIB), enabled: true,
      imap_enabled: false, pop3_enabled: true, smtp_enabled: true, password_hash: hashBefore,
    }]);

    const more = await owner.client.patch(`/v1/mailboxes/${mailbox.id}`, {
      displayName: null, quotaBytes: 512 * MIB, enabled: false, protocols: { pop3: false, smtp: false },
    });
    expect(more.status).toBe(200);
    expect(more.body).toMatchObject({
      displayName: null, quotaBytes: 512 * MIB, enabled: false, protocols: { imap: false, pop3: false, smtp: false },
    });
    expect(await columns()).toEqual([{
      display_name: null, quota_bytes: String(512 * MIB), enabled: false,
      imap_enabled: false, pop3_enabled: false, smtp_enabled: false, password_hash: hashBefore,
    }]);

    const unknown = await owner.client.patch(`/v1/mailboxes/${mailbox.id}`, { passwordHash: 'x' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toMatchObject([{ field: 'passwordHash', code: 'unknown_field' }]);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id: mailbox.id } })).passwordHash).toBe(hashBefore);
  });

  it('deletes a mailbox with its name claim, audited without secrets', async () => {
    const { body: mailbox } = await owner.client.post('/v1/mailboxes', { address: 'gone@owner.test', password: GOOD_PASSWORD });
    const res = await owner.client.delete(`/v1/mailboxes/${mailbox.id}`);
    expect(res.status).toBe(204);
    expect(await api.db.mailbox.count({ where: { id: mailbox.id } })).toBe(0);
    expect(await api.db.nameClaim.count({ where: { name: 'gone@owner.test' } })).toBe(0);

    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: mailbox.id, action: 'mailbox.delete' } });
    expect(audit).toMatchObject({ resellerId: owner.id, targetType: 'mailbox', after: null });
    expect(audit.before).toMatchObject({ id: mailbox.id, address: 'gone@owner.test', quotaBytes: GIB });
    expectNoSecret([audit.before, audit.after]);

    expect((await owner.client.get(`/v1/mailboxes/${mailbox.id}`)).status).toBe(404);
    expect((await owner.client.delete(`/v1/mailboxes/${mailbox.id}`)).status).toBe(404);
    expect((await owner.client.post('/v1/mailboxes', { address: 'gone@owner.test', password: GOOD_PASSWORD })).status).toBe(201);
  });

  it('enforces the reseller\'s mailbox count limit', async () => {
    const limited = await api.resellerWithDomain('count.test', { maxMailboxes: 2 });
    for (const address of ['a@count.test', 'b@count.test']) {
      expect((await limited.client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD })).status).toBe(201);
    }
    const res = await limited.client.post('/v1/mailboxes', { address: 'c@count.test', password: GOOD_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('reseller_limit_reached');
    expect(await api.db.mailbox.count({ where: { domainId: limited.domainId } })).toBe(2);
    expect(await api.db.nameClaim.count({ where: { name: 'c@count.test' } })).toBe(0);
  });

  it('enforces the reseller\'s storage limit on creation and when a quota is raised', async () => {
    const limited = await api.resellerWithDomain('storage.test', { maxStorageBytes: 3 * GIB });
    const first = await limited.client.post('/v1/mailboxes', { address: 'a@storage.test', password: GOOD_PASSWORD, quotaBytes: 2 * GIB });
    expect(first.status).toBe(201);

    const over = await limited.client.post('/v1/mailboxes', { address: 'b@storage.test', password: GOOD_PASSWORD, quotaBytes: GIB + 1 });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('reseller_limit_reached');
    expect(await api.db.mailbox.count({ where: { domainId: limited.domainId } })).toBe(1);

    const raised = await limited.client.patch(`/v1/mailboxes/${first.body.id}`, { quotaBytes: 3 * GIB + 1 });
    expect(raised.status).toBe(409);
    expect(raised.body.code).toBe('reseller_limit_reached');
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id: first.body.id } })).quotaBytes).toBe(BigInt(2 * GIB));

    expect((await limited.client.patch(`/v1/mailboxes/${first.body.id}`, { quotaBytes: 3 * GIB })).status).toBe(200);
    expect((await limited.client.patch(`/v1/mailboxes/${first.body.id}`, { quotaBytes: GIB })).status).toBe(200);
    expect((await limited.client.post('/v1/mailboxes', { address: 'b@storage.test', password: GOOD_PASSWORD, quotaBytes: 2 * GIB })).status).toBe(201);
    expect((await api.db.mailbox.aggregate({ where: { domainId: limited.domainId }, _sum: { quotaBytes: true } }))._sum.quotaBytes)
      .toBe(BigInt(3 * GIB));
  });

  it('holds the mailbox limit when ten creations race', async () => {
    const limited = await api.resellerWithDomain('race.test', { maxMailboxes: 3 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => limited.client.post('/v1/mailboxes', { address: `user${i}@race.test`, password: GOOD_PASSWORD })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(7).fill('reseller_limit_reached'));
    expect(await api.db.mailbox.count({ where: { domainId: limited.domainId } })).toBe(3);
    expect(await api.db.nameClaim.count({ where: { name: { endsWith: '@race.test' } } })).toBe(3);
  });

  it('holds the storage limit when quota changes race, a lowering among them, and audits what really changed', async () => {
    // Each triple races a lowering (M → 1 MiB), a raise of the same mailbox back (M → 50 MiB) and a
    // raise of another (N → 99 MiB). A quota read before the reseller lock is stale once the
    // lowering commits: the raise back then counts as no change and N's raise spends the same room.
    const PAIRS = 8;
    const limited = await api.resellerWithDomain('quota-race.test', { maxStorageBytes: PAIRS * 100 * MIB });
    const bcrypt = '{BLF-CRYPT}$2y$05$vmtv1OIfhBFWGl.3vB1.4ekXwN4ESp3/K7/wGzaMRzrPSxCcslNVy';
    const rows = Array.from({ length: PAIRS }, (_, i) => [`m${i}`, `n${i}`]).flat()
      .map((local) => ({ address: `${local}@quota-race.test`, passwordHash: bcrypt, quotaBytes: 50 * MIB }));
    const imported = await limited.client.post('/v1/mailboxes/import', { mailboxes: rows });
    expect(imported.body).toMatchObject({ created: 2 * PAIRS });
    const ids = imported.body.results.map((r: { id: string }) => r.id);
    const patches = Array.from({ length: PAIRS }, (_, i) => [
      [ids[2 * i], MIB], [ids[2 * i], 50 * MIB], [ids[2 * i + 1], 99 * MIB],
    ] as const).flat();
    const results = await Promise.all(patches.map(([id, quotaBytes]) => limited.client.patch(`/v1/mailboxes/${id}`, { quotaBytes })));

    expect(results.filter((r) => r.status !== 200).map((r) => [r.status, r.body.code]))
      .toEqual(results.filter((r) => r.status !== 200).map(() => [409, 'reseller_limit_reached']));
    const total = (await api.db.mailbox.aggregate({ where: { domainId: limited.domainId }, _sum: { quotaBytes: true } }))._sum.quotaBytes!;
    expect(total).toBeLessThanOrEqual(BigInt(PAIRS * 100 * MIB));
    // Every accepted change is one audit entry whose `before` was the real quota, so the entries
    // add up to the change in the database and their count is the count of 200s.
    const audited = await api.db.auditEntry.findMany({ where: { action: 'mailbox.update', targetId: { in: ids } } });
    expect(audited).toHaveLength(results.filter((r) => r.status === 200).length);
    const quota = (json: unknown) => (json as { quotaBytes: number }).quotaBytes;
    const auditedChange = audited.reduce((sum, e) => sum + quota(e.after) - quota(e.before), 0);
    expect(Number(total) - PAIRS * 100 * MIB).toBe(auditedChange);
  });

  describe('refuses bad input and writes nothing', () => {
    const valid = { address: 'new@owner.test', password: GOOD_PASSWORD };
    const json = { 'content-type': 'application/json' };

    it.each([
      ['an unknown field passwordHash (mass assignment)', { ...valid, passwordHash: `${HASH_PREFIX}x` }, 'passwordHash', 'unknown_field'],
      ['an unknown field domainId (mass assignment)', { ...valid, domainId: '00000000-0000-4000-8000-000000000000' }, 'domainId', 'unknown_field'],
      ['an unknown protocol', { ...valid, protocols: { ftp: true } }, 'protocols.ftp', 'unknown_field'],
      ['a missing password', { address: valid.address }, 'password', 'invalid_type'],
      ['a numeric address', { ...valid, address: 42 }, 'address', 'invalid_type'],
      ['a string for enabled', { ...valid, enabled: 'yes' }, 'enabled', 'invalid_type'],
      ['a string for a protocol', { ...valid, protocols: { imap: 'no' } }, 'protocols.imap', 'invalid_type'],
      ['a CR/LF in the address', { ...valid, address: 'new@owner.test\r\nBcc: x@evil.test' }, 'address', 'invalid_characters'],
      ['a CR/LF in the display name', { ...valid, displayName: 'New\r\nBcc: x@evil.test' }, 'displayName', 'invalid_format'],
      ['an empty password', { ...valid, password: '' }, 'password', 'too_small'],
      ['a negative quota', { ...valid, quotaBytes: -1 }, 'quotaBytes', 'too_small'],
      ['a fractional quota', { ...valid, quotaBytes: GIB + 0.5 }, 'quotaBytes', 'invalid_type'],
      ['a quota as a string', { ...valid, quotaBytes: String(GIB) }, 'quotaBytes', 'invalid_type'],
      ['a quota over 1 PiB', { ...valid, quotaBytes: 2 ** 50 + 1 }, 'quotaBytes', 'too_big'],
      ['a local part with a space', { ...valid, address: 'new user@owner.test' }, 'address', 'invalid_characters'],
    ])('422 for %s', async (_, body, field, code) => {
      const before = await api.db.mailbox.count();
      const res = await owner.client.post('/v1/mailboxes', body);
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 422, code: 'validation_failed', errors: [{ field, code }] });
      expect(await api.db.mailbox.count()).toBe(before);
    });

    it.each([
      ['malformed JSON', '{"address": "new@owner.test",', json, 400, 'malformed_json'],
      ['an empty JSON body', '', json, 400, 'malformed_json'],
      ['a body over the 1 MiB limit', JSON.stringify({ ...valid, displayName: 'x'.repeat(MIB) }), json, 413, 'payload_too_large'],
      ['a form-encoded body', 'address=new%40owner.test&password=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
      ['a plain-text body', JSON.stringify(valid), { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
    ])('%s', async (_, raw, headers, status, code) => {
      const before = await api.db.mailbox.count();
      const res = await owner.client.post('/v1/mailboxes', raw, headers);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status, code });
      expect(res.body.errors).toBeUndefined();
      expect(await api.db.mailbox.count()).toBe(before);
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a retry with the first answer and creates once', async () => {
      const body = { address: 'retry@owner.test', password: GOOD_PASSWORD };
      const first = await owner.client.post('/v1/mailboxes', body, { 'idempotency-key': 'create-retry' });
      const second = await owner.client.post('/v1/mailboxes', body, { 'idempotency-key': 'create-retry' });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body).toEqual(first.body);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(await api.db.mailbox.count({ where: { address: 'retry@owner.test' } })).toBe(1);
      const stored = await api.db.idempotentRequest.findFirstOrThrow({ where: { key: 'create-retry' } });
      expect(stored.status).toBe(201);
      // Stored encrypted, and the request fingerprint is keyed: neither reveals the password.
      expect(Buffer.from(stored.body!).toString('latin1')).not.toContain('retry@owner.test');
      expect(stored.requestHash).not.toBe(createHash('sha256').update(`POST /v1/mailboxes\n${JSON.stringify(body)}`).digest('hex'));
    });

    it('refuses the same key with a different body', async () => {
      const res = await owner.client.post(
        '/v1/mailboxes', { address: 'retry2@owner.test', password: GOOD_PASSWORD }, { 'idempotency-key': 'create-retry' },
      );
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('idempotency_key_reused');
      expect(await api.db.mailbox.count({ where: { address: 'retry2@owner.test' } })).toBe(0);
    });

    it('keeps each tenant\'s keys apart', async () => {
      const res = await other.client.post(
        '/v1/mailboxes', { address: 'retry@other.test', password: GOOD_PASSWORD }, { 'idempotency-key': 'create-retry' },
      );
      expect(res.status).toBe(201);
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(res.body).toMatchObject({ address: 'retry@other.test', domainId: other.domainId });
      expect(await api.db.mailbox.count({ where: { address: { in: ['retry@owner.test', 'retry@other.test'] } } })).toBe(2);
    });
  });
});
