import { libpqConnectString, parseDatabaseUrl } from '../../src/mail-services/database-connection.js';
import type { MailServicesConfig } from '../../src/mail-services/mail-services-config.renderer.js';
import { TestApi } from '../support/api.js';
import { TestDovecot } from '../support/dovecot.js';
import { TestPostmap } from '../support/postmap.js';

// The round trip of product part 8: what the API writes, a real Dovecot and Postfix's own map
// lookups read through the views, with the configuration GET /v1/mail-services/config returned.
describe('mail services', () => {
  let api: TestApi;
  let config: MailServicesConfig;
  let dovecot: TestDovecot;
  let postmap: TestPostmap;

  const PASSWORD = 'Juniper-Harbor-Violet-58?';
  const WRONG = 'Juniper-Harbor-Violet-59?';

  async function domain(name: string, status: 'active' | 'pending_verification' = 'active'): Promise<string> {
    const res = await api.admin.post('/v1/domains', { name });
    expect(res.status).toBe(201);
    if (status === 'active') expect((await api.admin.patch(`/v1/domains/${res.body.id}`, { status })).status).toBe(200);
    return res.body.id;
  }

  async function mailbox(address: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await api.admin.post('/v1/mailboxes', { address, password: PASSWORD, ...body });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function logins(address: string, password: string) {
    const [imap, pop3] = await Promise.all([dovecot.imapLogin(address, password), dovecot.pop3Login(address, password)]);
    return { imap, pop3 };
  }

  beforeAll(async () => {
    api = await TestApi.start();
    const res = await api.admin.get('/v1/mail-services/config');
    expect(res.status).toBe(200);
    config = res.body;
    [dovecot, postmap] = await Promise.all([TestDovecot.start(config), TestPostmap.write(config)]);
    await domain('mail.test');
  });
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), postmap?.remove()]);
    await api?.close();
  });

  it('gives the configuration to platform admins only, pointed at this database and never cached', async () => {
    const res = await api.admin.get('/v1/mail-services/config');
    expect(res.headers['cache-control']).toBe('no-store');
    const connect = libpqConnectString(parseDatabaseUrl(process.env.DATABASE_URL!));
    expect(res.body.dovecot.sqlConf.content).toContain(`\nconnect = ${connect}\n`);
    expect(res.body.postfix.maps.virtual_alias_maps.content).toContain(`\ndbname = ${parseDatabaseUrl(process.env.DATABASE_URL!).dbname}\n`);

    const reseller = await api.reseller();
    const refused = await reseller.client.get('/v1/mail-services/config');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'platform_admin_required' });
    expect(JSON.stringify(refused.body)).not.toContain('connect');
    expect((await api.client().get('/v1/mail-services/config')).status).toBe(401);
  });

  it('logs in over IMAP and POP3 with the password set through the API, and not with another', async () => {
    await mailbox('anna@mail.test');
    expect(await logins('anna@mail.test', PASSWORD)).toEqual({ imap: true, pop3: true });
    expect(await logins('anna@mail.test', WRONG)).toEqual({ imap: false, pop3: false });
    expect(await logins('nobody@mail.test', PASSWORD)).toEqual({ imap: false, pop3: false });
  });

  it('takes a password changed through the API at once, and refuses the old one', async () => {
    const id = await mailbox('bert@mail.test');
    const changed = 'Copper-Meadow-Lynx-904#';
    expect((await api.admin.put(`/v1/mailboxes/${id}/password`, { password: changed })).status).toBe(204);
    expect(await logins('bert@mail.test', changed)).toEqual({ imap: true, pop3: true });
    expect(await logins('bert@mail.test', PASSWORD)).toEqual({ imap: false, pop3: false });
  });

  it('refuses a disabled mailbox at once, and lets it in again when enabled', async () => {
    const id = await mailbox('carl@mail.test');
    expect((await api.admin.patch(`/v1/mailboxes/${id}`, { enabled: false })).status).toBe(200);
    expect(await logins('carl@mail.test', PASSWORD)).toEqual({ imap: false, pop3: false });
    expect((await api.admin.patch(`/v1/mailboxes/${id}`, { enabled: true })).status).toBe(200);
    expect(await logins('carl@mail.test', PASSWORD)).toEqual({ imap: true, pop3: true });
  });

  it('refuses IMAP to a mailbox with IMAP switched off, and still lets it in over POP3', async () => {
    const id = await mailbox('dora@mail.test');
    expect((await api.admin.patch(`/v1/mailboxes/${id}`, { protocols: { imap: false } })).status).toBe(200);
    expect(await logins('dora@mail.test', PASSWORD)).toEqual({ imap: false, pop3: true });
    await mailbox('emil@mail.test', { protocols: { pop3: false } });
    expect(await logins('emil@mail.test', PASSWORD)).toEqual({ imap: true, pop3: false });
  });

  it('refuses the mailboxes of a disabled domain and of a domain still pending verification', async () => {
    const suspended = await domain('suspended.test');
    await mailbox('fred@suspended.test');
    expect(await logins('fred@suspended.test', PASSWORD)).toEqual({ imap: true, pop3: true });
    expect((await api.admin.patch(`/v1/domains/${suspended}`, { status: 'disabled' })).status).toBe(200);
    expect(await logins('fred@suspended.test', PASSWORD)).toEqual({ imap: false, pop3: false });

    await domain('pending.test', 'pending_verification');
    await mailbox('gina@pending.test');
    expect(await logins('gina@pending.test', PASSWORD)).toEqual({ imap: false, pop3: false });
  });

  it('logs in with {BLF-CRYPT} and {SHA512-CRYPT} hashes imported from another panel', async () => {
    const old = 'password-from-the-old-panel';
    const rows = [
      { address: 'hugo@mail.test', passwordHash: await dovecot.hash('BLF-CRYPT', old) },
      { address: 'ines@mail.test', passwordHash: await dovecot.hash('SHA512-CRYPT', old) },
    ];
    expect(rows.map((r) => r.passwordHash)).toEqual([expect.stringMatching(/^\{BLF-CRYPT\}\$2y\$/), expect.stringMatching(/^\{SHA512-CRYPT\}\$6\$/)]);
    const res = await api.admin.post('/v1/mailboxes/import', { mailboxes: rows });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 2, failed: 0 });
    for (const { address } of rows) {
      expect({ address, ...(await logins(address, old)) }).toEqual({ address, imap: true, pop3: true });
      expect({ address, ...(await logins(address, `${old}!`)) }).toEqual({ address, imap: false, pop3: false });
    }
  });

  describe('Postfix maps', () => {
    beforeAll(async () => {
      const mailTest = (await api.db.domain.findUniqueOrThrow({ where: { name: 'mail.test' } })).id;
      const catchAll = await domain('catchall.test');
      await mailbox('post@mail.test');
      await mailbox('a/b@mail.test');
      const aliases = [
        { source: 'info@mail.test', destinations: ['post@mail.test'] },
        { source: 'team@mail.test', destinations: ['post@mail.test', 'partner@example.org'] },
        { source: '@catchall.test', destinations: ['post@mail.test'] },
      ];
      for (const alias of aliases) expect((await api.admin.post('/v1/aliases', alias)).status).toBe(201);
      const off = await api.admin.post('/v1/aliases', { source: 'off@mail.test', destinations: ['post@mail.test'], enabled: false });
      expect(off.status).toBe(201);
      for (const [aliasDomain, targetDomainId] of [['alias.test', mailTest], ['alias-catchall.test', catchAll]]) {
        const alias = await api.admin.post('/v1/domain-aliases', { aliasDomain, targetDomainId });
        expect(alias.status).toBe(201);
        // Unproven aliases stay out of the maps; the platform activates these directly.
        expect((await api.admin.patch(`/v1/domain-aliases/${alias.body.id}`, { status: 'active' })).status).toBe(200);
      }
      // An alias still pending verification is in no map.
      expect((await api.admin.post('/v1/domain-aliases', { aliasDomain: 'pending-alias.test', targetDomainId: mailTest })).status).toBe(201);
    });

    it('accepts the active domains and their domain aliases, and no others', async () => {
      const domains = ['mail.test', 'alias.test', 'pending.test', 'suspended.test', 'unknown.test', 'pending-alias.test'];
      const found = await Promise.all(domains.map((d) => postmap.query('virtual_mailbox_domains', d)));
      expect(found).toEqual(['mail.test', 'alias.test', null, null, null, null]);
    });

    it('finds mailboxes with their maildir, and no unknown or inactive ones', async () => {
      const keys = ['post@mail.test', 'a/b@mail.test', 'nobody@mail.test', 'fred@suspended.test', 'gina@pending.test', 'info@mail.test'];
      const found = await Promise.all(keys.map((k) => postmap.query('virtual_mailbox_maps', k)));
      expect(found).toEqual(['mail.test/post/', 'mail.test/a%2Fb/', null, null, null, null]);
    });

    it('resolves mailboxes, aliases, the catch-all and domain-alias addresses, and nothing unknown', async () => {
      const expected: Record<string, string | null> = {
        'post@mail.test': 'post@mail.test',
        'info@mail.test': 'post@mail.test',
        'team@mail.test': 'partner@example.org,post@mail.test',
        '@catchall.test': 'post@mail.test',
        'post@alias.test': 'post@mail.test',
        'post@pending-alias.test': null,
        'info@alias.test': 'info@mail.test',
        '@alias-catchall.test': 'post@mail.test',
        'nobody@mail.test': null,
        'nobody@alias.test': null,
        '@alias.test': null,
        '@mail.test': null,
        'off@mail.test': null,
        'fred@suspended.test': null,
        'post': null,
      };
      const found: Record<string, string | null> = {};
      for (const key of Object.keys(expected)) {
        const value = await postmap.query('virtual_alias_maps', key);
        found[key] = value && value.split(',').sort().join(',');
      }
      expect(found).toEqual(expected);
    });

    it('names the logins that own each sender address, the catch-all only once its domain allows it', async () => {
      const lookUp = async (keys: string[]) => {
        const found: Record<string, string | null> = {};
        for (const key of keys) found[key] = await postmap.query('smtpd_sender_login_maps', key);
        return found;
      };
      expect(await lookUp([
        'post@mail.test', 'info@mail.test', 'team@mail.test', 'post@alias.test', 'info@alias.test', '@catchall.test',
        '@alias-catchall.test', 'off@mail.test', 'nobody@mail.test', 'post@pending-alias.test', 'partner@example.org',
      ])).toEqual({
        'post@mail.test': 'post@mail.test',
        'info@mail.test': 'post@mail.test',
        'team@mail.test': 'post@mail.test',
        'post@alias.test': 'post@mail.test',
        'info@alias.test': 'post@mail.test',
        '@catchall.test': null,
        '@alias-catchall.test': null,
        'off@mail.test': null,
        'nobody@mail.test': null,
        'post@pending-alias.test': null,
        'partner@example.org': null,
      });
      const catchAll = await api.db.domain.findUniqueOrThrow({ where: { name: 'catchall.test' } });
      expect((await api.admin.patch(`/v1/domains/${catchAll.id}`, { catchAllSenders: true })).status).toBe(200);
      expect(await lookUp(['@catchall.test', '@alias-catchall.test'])).toEqual({ '@catchall.test': 'post@mail.test', '@alias-catchall.test': 'post@mail.test' });
    });
  });
});
