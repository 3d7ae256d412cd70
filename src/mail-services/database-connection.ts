// How Postfix and Dovecot reach the database, taken apart from a postgresql:// URL because
// neither speaks URLs the same way: Dovecot wants a libpq keyword string, Postfix wants
// `hosts`, `user`, `password` and `dbname` lines in its map files.
const DEFAULT_PORT = 5432;

export interface DatabaseConnection {
  /** A host name or address, or a directory for a Unix-domain socket (`?host=/run/postgresql`). */
  host: string;
  port: number;
  dbname: string;
  user: string;
  password: string;
  sslmode?: string;
}

export function parseDatabaseUrl(input: string): DatabaseConnection {
  const url = new URL(input);
  const user = decodeURIComponent(url.username);
  const connection: DatabaseConnection = {
    host: url.searchParams.get('host') ?? (url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost'),
    port: url.port ? Number(url.port) : DEFAULT_PORT,
    dbname: decodeURIComponent(url.pathname.slice(1)) || user,
    user,
    password: decodeURIComponent(url.password),
    ...(url.searchParams.has('sslmode') && { sslmode: url.searchParams.get('sslmode')! }),
  };
  // One value per line in both formats: a line break or a control character would start a new
  // setting, and leading or trailing blanks are trimmed by the Postfix parser.
  for (const [name, value] of Object.entries(connection)) {
    if (typeof value === 'string' && (/\p{Cc}/u.test(value) || value !== value.trim())) {
      throw new Error(`The mail-services database URL has a ${name} that cannot be written into a configuration file`);
    }
  }
  return connection;
}

/** The libpq keyword/value form (Dovecot's `connect`), every value quoted as libpq expects. */
export function libpqConnectString(c: DatabaseConnection): string {
  const quote = (value: string | number) => `'${String(value).replace(/[\\']/g, '\\$&')}'`;
  const pairs: [string, string | number][] = [['host', c.host], ['port', c.port], ['dbname', c.dbname], ['user', c.user]];
  if (c.password) pairs.push(['password', c.password]);
  if (c.sslmode) pairs.push(['sslmode', c.sslmode]);
  return pairs.map(([key, value]) => `${key}=${/^[\w./-]+$/.test(String(value)) ? value : quote(value)}`).join(' ');
}

/**
 * The Postfix `hosts` value. Postfix's host:port form has no place for TLS settings, so with an
 * sslmode the postgresql:// URI form, which Postfix also accepts, carries everything instead.
 */
export function postfixHosts(c: DatabaseConnection): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  if (c.sslmode) {
    const [user, password, dbname, sslmode] = [c.user, c.password, c.dbname, c.sslmode].map(encodeURIComponent);
    const auth = password ? `${user}:${password}` : user;
    return c.host.startsWith('/')
      ? `postgresql://${auth}@/${dbname}?host=${encodeURIComponent(c.host)}&port=${c.port}&sslmode=${sslmode}`
      : `postgresql://${auth}@${host}:${c.port}/${dbname}?sslmode=${sslmode}`;
  }
  if (c.host.startsWith('/')) return `unix:${c.host}`;
  return `inet:${host}:${c.port}`;
}
