import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { MailServicesConfig } from '../../src/mail-services/mail-services-config.renderer.js';
import { freePort, waitFor } from './processes.js';

const run = promisify(execFile);
// Debian's `mail` user and group, which the dovecot_users view returns.
const MAIL_UID = 8;
const STARTUP_TIMEOUT_MS = 10_000;

/**
 * A real Dovecot (Debian's 2.3) for one test file: run as root from a config of its own in a
 * temporary directory, on free loopback ports, with the SQL configuration and passdb/userdb
 * blocks that GET /v1/mail-services/config returned. Only paths and ports are changed.
 */
export class TestDovecot {
  private constructor(
    readonly dir: string,
    readonly configFile: string,
    readonly imapPort: number,
    readonly pop3Port: number,
    private readonly master: ChildProcess,
    private readonly exited: Promise<unknown>,
  ) {}

  /**
   * `authPolicyUrl`: also load the generated auth-policy block (GET /v1/mail-services/config),
   * pointed at this URL instead of the configured one (the test API listens on a random port).
   * `authPort`: also serve SASL authentication to Postfix there (`smtpd_sasl_path = inet:…`), in
   * place of the generated unix listener under /var/spool/postfix.
   */
  static async start(config: MailServicesConfig, options: { authPolicyUrl?: string; authPort?: number } = {}): Promise<TestDovecot> {
    const dir = await mkdtemp(join(tmpdir(), 'pm-dovecot-'));
    // Login and auth processes run as dovenull and dovecot and must reach base_dir below here.
    await chmod(dir, 0o755);
    const mailRoot = join(dir, 'mail');
    await mkdir(mailRoot);
    await chown(mailRoot, MAIL_UID, MAIL_UID);

    const sqlConfFile = join(dir, 'dovecot-sql.conf.ext');
    await writeFile(sqlConfFile, replaceOnce(config.dovecot.sqlConf.content, "'/var/vmail/'", `'${mailRoot}/'`), { mode: 0o600 });
    const appPasswordsSqlConfFile = join(dir, 'dovecot-sql-app-passwords.conf.ext');
    await writeFile(appPasswordsSqlConfFile, config.dovecot.appPasswordsSqlConf.content, { mode: 0o600 });
    const authBlocks = replaceOnce(
      config.dovecot.authConf.content.replaceAll(config.dovecot.sqlConf.path, sqlConfFile),
      config.dovecot.appPasswordsSqlConf.path, appPasswordsSqlConfFile,
    );
    // mail_location and first_valid_uid as generated; the listeners for Postfix are not needed here.
    const generated = config.dovecot.dovecotConf.split('\n').filter((line) => /^(mail_location|first_valid_uid) =/.test(line));
    expect(generated).toHaveLength(2);

    const [imapPort, pop3Port] = [await freePort(), await freePort()];
    const configFile = join(dir, 'dovecot.conf');
    const greeting = `Postmaster test ${basename(dir)}`;
    await writeFile(configFile, [
      'protocols = imap pop3',
      'listen = 127.0.0.1',
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/dovecot.log`,
      'ssl = no',
      // Told apart from any other server that took one of these ports after freePort() chose it.
      `login_greeting = ${greeting}`,
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      // Failed logins are the point of these tests: no delay after each (2 s by default), and no
      // penalty per client IP (anvil's, 2-15 s before every later login from 127.0.0.1, which no
      // setting turns off: the auth process runs without it when it cannot reach that socket).
      'auth_failure_delay = 0',
      'service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}',
      ...generated,
      `service imap-login {\n  inet_listener imap {\n    port = ${imapPort}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      `service pop3-login {\n  inet_listener pop3 {\n    port = ${pop3Port}\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}`,
      authBlocks,
      ...(options.authPort ? [`service auth {\n  inet_listener {\n    address = 127.0.0.1\n    port = ${options.authPort}\n  }\n}`] : []),
      ...(options.authPolicyUrl
        ? [replaceOnce(config.dovecot.authPolicyConf.content, /^auth_policy_server_url = .*$/m, `auth_policy_server_url = ${options.authPolicyUrl}`)]
        : []),
    ].join('\n'));

    // -F keeps the master in the foreground as this process's child, so it is stopped by its pid.
    const master = spawn('dovecot', ['-F', '-c', configFile], { stdio: 'ignore' });
    const exited = new Promise((resolve) => master.once('exit', resolve));
    const dovecot = new TestDovecot(dir, configFile, imapPort, pop3Port, master, exited);
    try {
      await Promise.race([
        waitFor(async () => (await greets(imapPort, greeting)) && (await greets(pop3Port, greeting)), STARTUP_TIMEOUT_MS),
        exited.then(() => Promise.reject(new Error('exited'))),
      ]);
    } catch (error) {
      const log = await dovecot.log();
      await dovecot.stop();
      throw new Error(`Dovecot did not start (${(error as Error).message}, exit code ${master.exitCode}):\n${log || '(no log)'}`);
    }
    return dovecot;
  }

  /** Logs in over IMAP with imapflow and opens INBOX, which needs the userdb's home, uid and gid. */
  async imapLogin(user: string, pass: string, fromAddress?: string): Promise<boolean> {
    // imapflow passes `tls` options to net.connect for a plain connection too: the client's
    // source address (any of 127/8 on Linux loopback), which Dovecot reports as %{rip}.
    const client = new ImapFlow({
      host: '127.0.0.1', port: this.imapPort, secure: false, auth: { user, pass }, logger: false,
      ...(fromAddress && { tls: { localAddress: fromAddress } as ImapFlowOptions['tls'] }),
    });
    try {
      await client.connect();
    } catch (error) {
      if ((error as { authenticationFailed?: boolean }).authenticationFailed) return false;
      throw error;
    }
    try {
      const inbox = await client.mailboxOpen('INBOX');
      expect(inbox.path).toBe('INBOX');
      return true;
    } finally {
      await client.logout();
    }
  }

  /** Logs in over POP3 (USER/PASS, RFC 1939) and asks for STAT, which needs the mailbox itself. */
  async pop3Login(user: string, pass: string): Promise<boolean> {
    const session = await Pop3Session.open(this.pop3Port);
    try {
      expect(await session.command(`USER ${user}`)).toMatch(/^\+OK/);
      const reply = await session.command(`PASS ${pass}`);
      if (reply.startsWith('-ERR')) return false;
      expect(reply).toMatch(/^\+OK/);
      expect(await session.command('STAT')).toMatch(/^\+OK \d+ \d+/);
      return true;
    } finally {
      session.close();
    }
  }

  /**
   * Authenticates through Dovecot's auth service as `service` would (e.g. smtp: Postfix's SASL
   * requests), with `doveadm auth test`: exit code 0 on success, 77 on refusal.
   */
  async authTest(user: string, pass: string, service: string): Promise<boolean> {
    try {
      await run('doveadm', ['-c', this.configFile, 'auth', 'test', '-x', `service=${service}`, user, pass]);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 77) return false;
      throw error;
    }
  }

  /** A hash as another panel would have stored it, made by Dovecot itself. */
  async hash(scheme: string, password: string): Promise<string> {
    const { stdout } = await run('doveadm', ['-c', this.configFile, 'pw', '-s', scheme, '-p', password]);
    return stdout.trim();
  }

  async log(): Promise<string> {
    return readFile(join(this.dir, 'dovecot.log'), 'utf8').catch(() => '');
  }

  async stop(): Promise<void> {
    if (this.master.exitCode === null && this.master.signalCode === null) this.master.kill('SIGTERM');
    await this.exited;
    await rm(this.dir, { recursive: true, force: true });
  }
}

function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  expect(text.split(search)).toHaveLength(2);
  return text.replace(search, replacement);
}

/** Whether the server on `port` answers with this greeting (IMAP `* OK …`, POP3 `+OK …`). */
function greets(port: number, greeting: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.setTimeout(1000, () => socket.destroy());
    let received = '';
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes('\r\n')) socket.destroy();
    });
    socket.once('close', () => resolve(received.includes(greeting)));
    socket.once('error', () => resolve(false));
  });
}

/** Just enough POP3 for a login: one command, one single-line reply. */
class Pop3Session {
  private buffered = '';
  private waiting?: (line: string) => void;

  private constructor(private readonly socket: ReturnType<typeof connect>) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      this.deliver();
    });
  }

  static async open(port: number): Promise<Pop3Session> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const session = new Pop3Session(socket);
    expect(await session.nextLine()).toMatch(/^\+OK/);
    return session;
  }

  command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.nextLine();
  }

  close(): void {
    this.socket.end('QUIT\r\n');
  }

  private nextLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.socket.once('error', reject);
      this.deliver();
    });
  }

  private deliver(): void {
    const end = this.buffered.indexOf('\r\n');
    if (end < 0 || !this.waiting) return;
    const line = this.buffered.slice(0, end);
    this.buffered = this.buffered.slice(end + 2);
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve(line);
  }
}
