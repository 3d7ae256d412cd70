import { libpqConnectString, parseDatabaseUrl, postfixHosts } from './database-connection.js';

describe('parseDatabaseUrl', () => {
  it('takes a postgresql:// URL apart, decoding what the URL encodes', () => {
    expect(parseDatabaseUrl('postgresql://mail%20ro:p%40ss%27w@db.internal:6543/postmaster')).toEqual({
      host: 'db.internal', port: 6543, dbname: 'postmaster', user: 'mail ro', password: "p@ss'w",
    });
  });

  it('applies the libpq defaults and keeps sslmode and a socket directory', () => {
    expect(parseDatabaseUrl('postgres://postmaster@localhost?host=/run/postgresql&sslmode=disable')).toEqual({
      host: '/run/postgresql', port: 5432, dbname: 'postmaster', user: 'postmaster', password: '', sslmode: 'disable',
    });
    expect(parseDatabaseUrl('postgresql://u@[::1]/db').host).toBe('::1');
  });

  it.each([
    ['a line break in the password', 'postgresql://u:a%0Ab@h/db'],
    ['a NUL in the user', 'postgresql://u%00x:p@h/db'],
    ['a trailing space in the database name', 'postgresql://u:p@h/db%20'],
  ])('refuses a URL that cannot be written into a configuration file: %s', (_, url) => {
    expect(() => parseDatabaseUrl(url)).toThrow('cannot be written into a configuration file');
  });
});

describe('libpqConnectString', () => {
  it('leaves plain values bare and quotes the others the way libpq reads them', () => {
    const c = parseDatabaseUrl("postgresql://mail:it's%20a%5Csecret@127.0.0.1:5432/postmaster?sslmode=require");
    expect(libpqConnectString(c)).toBe("host=127.0.0.1 port=5432 dbname=postmaster user=mail password='it\\'s a\\\\secret' sslmode=require");
  });

  it('leaves out an empty password', () => {
    expect(libpqConnectString(parseDatabaseUrl('postgresql://postgres@127.0.0.1/pm'))).toBe('host=127.0.0.1 port=5432 dbname=pm user=postgres');
  });
});

describe('postfixHosts', () => {
  it('uses the inet: and unix: forms', () => {
    expect(postfixHosts(parseDatabaseUrl('postgresql://u:p@127.0.0.1:5433/db'))).toBe('inet:127.0.0.1:5433');
    expect(postfixHosts(parseDatabaseUrl('postgresql://u@localhost/db?host=/run/postgresql'))).toBe('unix:/run/postgresql');
  });

  it('switches to a connection URI when TLS settings must travel with it', () => {
    expect(postfixHosts(parseDatabaseUrl('postgresql://mail:s%40cret@db.internal/pm?sslmode=verify-full'))).toBe(
      'postgresql://mail:s%40cret@db.internal:5432/pm?sslmode=verify-full',
    );
  });
});
