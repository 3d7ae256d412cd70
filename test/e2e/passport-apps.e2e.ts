import { GOOD_PASSWORD, TestApi } from '../support/api.js';
import { SessionClient, logIn, staff } from '../support/people.js';

// Issue 12, item 1: each app has its own passport instance. Two apps in one process, configured
// differently (another POSTMASTER_SECRET, so another CSRF key; Secure cookies or not), must each
// authenticate through their own strategies: with passport's process-global object, both would use
// whichever app registered last (what broke @nestjs/passport here before).
describe('passport per application', () => {
  let secure: TestApi;
  let plain: TestApi;
  let proxied: TestApi;

  beforeAll(async () => {
    // All share this worker's database.
    secure = await TestApi.start({ SESSION_COOKIE_SECURE: 'true', POSTMASTER_SECRET: 'another-secret-'.padEnd(44, 'y') });
    plain = await TestApi.start();
    proxied = await TestApi.start({ TRUSTED_PROXIES: '127.0.0.1' });
    // Each start() empties the shared database: the last app's admin creates the person all three see.
    await staff(proxied, 'both@platform.test', 'platform-admin');
  });
  afterAll(async () => {
    await proxied?.close();
    await plain?.close();
    await secure?.close();
  });

  it('sets a Secure cookie unless the setting says plain-HTTP development and the browser is on loopback', async () => {
    const res = await secure.client().post('/v1/auth/login', { email: 'both@platform.test', password: GOOD_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
    const local = await plain.client().post('/v1/auth/login', { email: 'both@platform.test', password: GOOD_PASSWORD });
    expect(local.headers['set-cookie']).not.toContain('Secure');
    // The same plain-HTTP setting, but the browser is elsewhere (behind a trusted proxy): Secure all the same.
    const remote = await proxied.client().post('/v1/auth/login', { email: 'both@platform.test', password: GOOD_PASSWORD }, { 'x-forwarded-for': '203.0.113.5' });
    expect(remote.status).toBe(200);
    expect(remote.headers['set-cookie']).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('checks each session with its own app: a CSRF token of one app is refused by the other', async () => {
    const viaPlain = await logIn(plain, 'both@platform.test', GOOD_PASSWORD);
    const sameSessionOnSecure = new SessionClient(secure.baseUrl, viaPlain.cookie, viaPlain.csrf);
    // Interleaved, concurrent requests on both apps: each answers by its own strategies.
    const answers = await Promise.all([0, 1, 2, 3].flatMap((i) => [
      viaPlain.post('/v1/resellers', { name: `plain ${i}` }),
      sameSessionOnSecure.post('/v1/resellers', { name: `secure ${i}` }),
      plain.client(proxied.admin.key).get('/v1/resellers'),
      // The key was created through the last app started (start() emptied the database): the same row serves all.
      secure.client(proxied.admin.key).get('/v1/me'),
    ]));
    expect(answers.map((a) => a.status)).toEqual([0, 1, 2, 3].flatMap(() => [201, 403, 200, 200]));
    expect(answers[1].body.code).toBe('csrf_token_invalid');
    expect(await plain.db.reseller.count({ where: { name: { startsWith: 'secure' } } })).toBe(0);
    expect(await plain.db.reseller.count({ where: { name: { startsWith: 'plain' } } })).toBe(4);
    // The secure app's own token for the same session works there.
    const token = (await sameSessionOnSecure.get('/v1/auth/csrf')).body.csrfToken;
    expect(token).not.toBe(viaPlain.csrf);
    expect((await new SessionClient(secure.baseUrl, viaPlain.cookie, token).post('/v1/resellers', { name: 'secure ok' })).status).toBe(201);
  });
});
