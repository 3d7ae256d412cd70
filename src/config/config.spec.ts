import { ConfigError, loadConfig } from './config.js';

const valid = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postmaster', POSTMASTER_SECRET: 'x'.repeat(32) };

describe('loadConfig', () => {
  it('applies defaults around the one required variable', () => {
    expect(loadConfig(valid)).toMatchObject({
      DATABASE_URL: valid.DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      ARGON2_MEMORY_KIB: 19456,
      ARGON2_TIME_COST: 2,
      TRUSTED_PROXIES: [],
      PRIVATE_DESTINATIONS_ALLOWED: [],
      MAIL_SERVICES_MAIL_ROOT: '/var/vmail',
    });
    expect(loadConfig(valid).MAIL_SERVICES_DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{}, 'DATABASE_URL is required'],
    [{ DATABASE_URL: valid.DATABASE_URL }, 'POSTMASTER_SECRET is required'],
    [{ ...valid, POSTMASTER_SECRET: 'short' }, 'POSTMASTER_SECRET must be at least 32 characters'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL must be a postgresql:// URL'],
    [{ ...valid, PORT: 'eighty' }, 'PORT'],
    [{ ...valid, PORT: '70000' }, 'PORT'],
    [{ ...valid, REDIS_URL: 'http://redis' }, 'REDIS_URL must be a redis:// URL'],
    [{ ...valid, ARGON2_MEMORY_KIB: '4096' }, 'ARGON2_MEMORY_KIB'],
    [{ ...valid, TRUST_PROXY: 'true' }, 'TRUST_PROXY is no longer supported: list the reverse proxies in TRUSTED_PROXIES'],
    [{ ...valid, TRUSTED_PROXIES: '10.0.0.1, proxy.example.net' }, 'TRUSTED_PROXIES must be IP addresses or CIDR ranges'],
    [{ ...valid, TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES must be IP addresses or CIDR ranges'],
    [{ ...valid, PRIVATE_DESTINATIONS_ALLOWED: '127.0.0.1' }, 'PRIVATE_DESTINATIONS_ALLOWED must be CIDR ranges'],
    [{ ...valid, PRIVATE_DESTINATIONS_ALLOWED: '127.1/8' }, 'PRIVATE_DESTINATIONS_ALLOWED must be CIDR ranges'],
    [{ ...valid, MAIL_PROBE_CA_FILE: '/nonexistent/ca.pem' }, 'MAIL_PROBE_CA_FILE must name an existing file'],
    [{ ...valid, MAIL_PROBE_TIMEOUT_MS: '10' }, 'MAIL_PROBE_TIMEOUT_MS'],
    [{ ...valid, MTA_STS_FETCH_CA_FILE: '/nonexistent/ca.pem' }, 'MTA_STS_FETCH_CA_FILE must name an existing file'],
    [{ ...valid, DNS_SERVERS: 'ns1.example.net:53' }, 'DNS_SERVERS must be IP:port entries'],
    [{ ...valid, DNS_SERVERS: '127.0.0.1:99999' }, 'DNS_SERVERS must be IP:port entries'],
    [{ ...valid, OUTBOUND_RELAY_URL: 'http://relay' }, 'OUTBOUND_RELAY_URL must be an smtp:// or smtps:// URL'],
    [{ ...valid, MAIL_SERVICES_DATABASE_URL: 'mysql://x/y' }, 'MAIL_SERVICES_DATABASE_URL must be a postgresql:// URL'],
    [{ ...valid, MAIL_SERVICES_MAIL_ROOT: 'vmail' }, 'MAIL_SERVICES_MAIL_ROOT must be an absolute path'],
    [{ ...valid, MAIL_SERVICES_MAIL_ROOT: "/var/vmail'; DROP" }, 'MAIL_SERVICES_MAIL_ROOT must be an absolute path'],
    [{ ...valid, MAIL_SERVICES_MAIL_ROOT: '/var/vmail/' }, 'MAIL_SERVICES_MAIL_ROOT must be an absolute path'],
  ])('names the variable at fault: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads DNS_SERVERS as a list of IP:port', () => {
    expect(loadConfig({ ...valid, DNS_SERVERS: '127.0.0.1:5353, [::1]:53,10.0.0.1' }).DNS_SERVERS)
      .toEqual(['127.0.0.1:5353', '[::1]:53', '10.0.0.1']);
  });

  it('reads TRUSTED_PROXIES and PRIVATE_DESTINATIONS_ALLOWED as lists', () => {
    const config = loadConfig({ ...valid, TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,::1', PRIVATE_DESTINATIONS_ALLOWED: '127.0.0.0/8, fd00::/8' });
    expect(config.TRUSTED_PROXIES).toEqual(['10.0.0.1', '192.168.0.0/16', '::1']);
    expect(config.PRIVATE_DESTINATIONS_ALLOWED).toEqual(['127.0.0.0/8', 'fd00::/8']);
    expect(loadConfig({ ...valid, TRUSTED_PROXIES: '' }).TRUSTED_PROXIES).toEqual([]);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x' })).toThrow(/DATABASE_URL is required; POSTMASTER_SECRET is required; PORT/);
  });
});
