import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';

// Text PostgreSQL cannot store (NUL, unpaired surrogates) and control characters are refused by
// the validation layer for every route, body, query and path alike — before any write, so that
// nothing is half-written and nothing answers 500.
describe('invalid text in requests', () => {
  let api: TestApi;
  let owner: { id: string; client: Client; domainId: string };
  let mailboxId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    owner = await api.resellerWithDomain('text.test');
    expect((await api.admin.patch(`/v1/domains/${owner.domainId}`, { status: 'active' })).status).toBe(200);
    const mailbox = await owner.client.post('/v1/mailboxes', { address: 'ann@text.test', password: GOOD_PASSWORD, displayName: 'Ann 😀 Grüße' });
    expect(mailbox.status).toBe(201);
    mailboxId = mailbox.body.id;
  });
  afterAll(() => api?.close());

  /** Row counts of the tables a refused request could have written to. */
  const counts = async () => ({
    apiKeys: await api.db.apiKey.count(),
    mailboxes: await api.db.mailbox.count(),
    resellers: await api.db.reseller.count(),
    domains: await api.db.domain.count(),
    messages: await api.db.message.count(),
    audit: await api.db.auditEntry.count(),
    idempotency: await api.db.idempotentRequest.count(),
  });

  function expectInvalidText(res: { status: number; headers: Record<string, string>; body: any }, field: string) {
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([expect.objectContaining({ field, code: 'invalid_characters' })]);
  }

  it.each([
    ['POST /v1/api-keys, a lone high surrogate in name', '/v1/api-keys', { name: '\ud800' }, 'name'],
    ['POST /v1/api-keys, a lone low surrogate in name', '/v1/api-keys', { name: 'key \udc00' }, 'name'],
    ['POST /v1/mailboxes, a lone surrogate in displayName', '/v1/mailboxes', { address: 'bob@text.test', password: GOOD_PASSWORD, displayName: 'Bob \ud83d' }, 'displayName'],
    ['POST /v1/mailboxes, NUL in displayName', '/v1/mailboxes', { address: 'bob@text.test', password: GOOD_PASSWORD, displayName: 'Bob\u0000' }, 'displayName'],
    ['POST /v1/mailboxes, NUL in the password', '/v1/mailboxes', { address: 'bob@text.test', password: `${GOOD_PASSWORD}\u0000` }, 'password'],
    ['POST /v1/domains, NUL in name', '/v1/domains', { name: 'nul\u0000.test' }, 'name'],
    ['POST /v1/messages, a lone surrogate in text', '/v1/messages', { from: 'ann@text.test', to: ['x@example.org'], subject: 's', text: 'hi \udfff' }, 'text'],
    ['POST /v1/messages, an escape character in subject', '/v1/messages', { from: 'ann@text.test', to: ['x@example.org'], subject: '\u001b[31mred', text: 'x' }, 'subject'],
    ['POST /v1/messages, NUL in a header name (an object key)', '/v1/messages', { from: 'ann@text.test', to: ['x@example.org'], subject: 's', text: 'x', headers: { 'X-A\u0000': 'v' } }, 'headers.X-A\\u0000'],
  ])('%s: 422 invalid_characters, nothing written', async (_, url, body, field) => {
    const before = await counts();
    const res = await owner.client.post(url, body, { 'idempotency-key': `invalid-${url}` });
    expectInvalidText(res, field);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['prototype', {}],
    ['constructor', { name: 'x' }],
  ])('refuses a body key named %s as unknown_field instead of dropping it, and changes nothing', async (key, value) => {
    const before = await api.db.mailbox.findUniqueOrThrow({ where: { id: mailboxId } });
    const res = await owner.client.put(`/v1/mailboxes/${mailboxId}/password`, { password: 'Another-Quartz-Fjord-82!', [key]: value });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: key, code: 'unknown_field' })]);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id: mailboxId } })).passwordHash).toBe(before.passwordHash);
  });

  it('refuses a lone surrogate in a platform admin\'s reseller name and in a nested array', async () => {
    const before = await counts();
    expectInvalidText(await api.admin.post('/v1/resellers', { name: 'Acme \ud800 Ltd' }), 'name');
    expectInvalidText(await api.admin.post('/v1/api-keys', { name: 'k', allowedIps: ['10.0.0.0/8', '\u0000'] }), 'allowedIps.1');
    expect(await counts()).toEqual(before);
  });

  it('refuses invalid text in an update and keeps the stored value', async () => {
    const before = await counts();
    expectInvalidText(await owner.client.patch(`/v1/mailboxes/${mailboxId}`, { displayName: 'x\ud800' }), 'displayName');
    expect(await counts()).toEqual(before);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id: mailboxId } })).displayName).toBe('Ann 😀 Grüße');
  });

  it('refuses invalid text sent as raw JSON escapes', async () => {
    const before = await counts();
    const res = await owner.client.request('POST', '/v1/api-keys', '{"name":"a\\ud800b","scopes":[]}', { 'content-type': 'application/json' });
    expectInvalidText(res, 'name');
    expect(await counts()).toEqual(before);
  });

  it('refuses invalid text in query and path values', async () => {
    expectInvalidText(await owner.client.get('/v1/mailboxes?q=a%00'), 'q');
    expectInvalidText(await owner.client.get('/v1/mailboxes/%00'), 'id');
  });

  it('refuses invalid text in a login event and records nothing', async () => {
    const before = await api.db.loginEvent.count();
    const res = await owner.client.post('/v1/events', { type: 'login', login: 'ann\ud800@text.test', remoteIp: '192.0.2.1', protocol: 'webmail', success: false });
    expectInvalidText(res, 'login');
    expect(await api.db.loginEvent.count()).toBe(before);
  });

  it('still accepts tabs, line breaks and emoji where a field allows them', async () => {
    const res = await owner.client.post('/v1/messages', { from: 'ann@text.test', to: ['x@example.org'], subject: 'Grüße 😀', text: 'line one\r\n\tline two 😀' });
    expect(res.status).toBe(202);
    const row = await api.db.message.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.subject).toBe('Grüße 😀');
  });
});
