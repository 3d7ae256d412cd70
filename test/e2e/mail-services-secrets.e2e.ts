import { REDACTED_SECRET } from '../../src/mail-services/mail-services-config.service.js';
import { type Client, TestApi } from '../support/api.js';

const DB_PASSWORD = 'Db-Pass-7f3a9c-visible-only-with-secrets';
const POLICY_SECRET = 'policy-secret-0123456789abcdef0123456789';

// GET /v1/mail-services/config holds the database password and the auth-policy secret: a key
// sees them only when it is writable and holds every scope or mail-services:secrets.
describe('mail-services config secrets', () => {
  let api: TestApi;
  let full: string;
  let nonce: string;

  const configOf = async (client: Client) => {
    const res = await client.get('/v1/mail-services/config');
    expect(res.status).toBe(200);
    return JSON.stringify(res.body);
  };
  const platformKey = (options: Record<string, unknown>) => api.keyLike(api.admin, options);

  beforeAll(async () => {
    api = await TestApi.start({
      MAIL_SERVICES_DATABASE_URL: `postgresql://mailsvc:${DB_PASSWORD}@db.internal.test:5432/mail`,
      AUTH_POLICY_SECRET: POLICY_SECRET,
    });
    full = await configOf(api.admin);
    nonce = /auth_policy_hash_nonce = (\S+)/.exec(JSON.parse(full).dovecot.authPolicyConf.content)![1];
  });
  afterAll(() => api?.close());

  it('shows the secrets to a writable key with every scope or with mail-services:secrets', async () => {
    for (const text of [full, await configOf(await platformKey({ scopes: ['mail-services:read', 'mail-services:secrets'] }))]) {
      expect(text).toContain(`password = ${DB_PASSWORD}`);
      expect(text).toContain(`password=${DB_PASSWORD}`);
      expect(text).toContain(`X-Postmaster-Auth-Policy: ${POLICY_SECRET}`);
      expect(text).not.toContain('redacted');
    }
  });

  it('redacts them, keeping the shape, for read-only keys and keys without the secrets scope', async () => {
    const keys = [
      await platformKey({ readOnly: true, scopes: ['mail-services:read'] }),
      await platformKey({ readOnly: true }),
      await platformKey({ scopes: ['mail-services:write'] }),
    ];
    for (const key of keys) {
      const text = await configOf(key);
      for (const secret of [DB_PASSWORD, POLICY_SECRET, nonce]) expect(text).not.toContain(secret);
      const config = JSON.parse(text);
      expect(config.postfix.maps.virtual_mailbox_maps.content).toContain(`\npassword = ${REDACTED_SECRET}\n`);
      expect(config.dovecot.sqlConf.content).toContain(`password='${REDACTED_SECRET}'`);
      expect(config.dovecot.authPolicyConf.content).toContain(`X-Postmaster-Auth-Policy: ${REDACTED_SECRET}\n`);
      // Everything else is the same text: only the secrets differ (libpq quotes the placeholder).
      expect(text.replaceAll(`'${REDACTED_SECRET}'`, 'S').replaceAll(REDACTED_SECRET, 'S')).toBe(full.replaceAll(DB_PASSWORD, 'S').replaceAll(POLICY_SECRET, 'S').replaceAll(nonce, 'S'));
    }
  });

  it('refuses mail-services:secrets to a read-only key at creation, and creates nothing', async () => {
    const before = await api.db.apiKey.count();
    const res = await api.admin.post('/v1/api-keys', { name: 'peek', readOnly: true, scopes: ['mail-services:read', 'mail-services:secrets'] });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'scopes', code: 'not_allowed' })]);
    expect(await api.db.apiKey.count()).toBe(before);
  });

  it('does not open the route with the secrets scope alone', async () => {
    const secretsOnly = await platformKey({ scopes: ['mail-services:secrets'] });
    expect(await secretsOnly.get('/v1/mail-services/config')).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } });
  });
});
