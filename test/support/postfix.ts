import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { POSTFIX_MAP_DIR, type MailServicesConfig } from '../../src/mail-services/mail-services-config.renderer.js';
import { freePort, waitFor } from './processes.js';

const run = promisify(execFile);
const STARTUP_TIMEOUT_MS = 15_000;

// The daemons a relaying Postfix needs, from Debian's master.cf, with chroot off ("n"): a
// chrooted daemon would need a copy of /etc and the libraries under the queue directory.
const BASE_MASTER_CF = `
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

/**
 * Debian's Postfix 3.7 for one test file, run as root from a configuration directory of its own
 * (`postfix -c DIR`) with the main.cf lines, map files and submission service that
 * GET /v1/mail-services/config generated. Changed: paths (map files, queue), ports (submission on
 * a free loopback port, Dovecot's SASL over TCP instead of the socket under /var/spool/postfix),
 * the relay (the test's SMTP sink), and TLS, which is off (no certificate here): the submission
 * service's `smtpd_tls_security_level=encrypt` and `smtpd_tls_auth_only=yes` become `none`/`no`,
 * and the implicit-TLS `submissions` service is left out.
 */
export class TestPostfix {
  private constructor(
    readonly dir: string,
    readonly submissionPort: number,
  ) {}

  static async start(config: MailServicesConfig, options: { saslPort: number; relayPort: number }): Promise<TestPostfix> {
    const dir = await mkdtemp(join(tmpdir(), 'pm-postfix-'));
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'queue'));
    await mkdir(join(dir, 'data'));
    await chown(join(dir, 'data'), ...(await postfixIds()));
    for (const [name, map] of Object.entries(config.postfix.maps)) {
      await writeFile(join(dir, `${name}.cf`), map.content, { mode: 0o644 });
    }
    const generated = replaceOnce(config.postfix.mainCf.replaceAll(`${POSTFIX_MAP_DIR}/`, `${dir}/`), 'smtpd_sasl_path = private/auth', `smtpd_sasl_path = inet:127.0.0.1:${options.saslPort}`);
    await writeFile(join(dir, 'main.cf'), [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/queue`,
      `data_directory = ${dir}/data`,
      'mail_owner = postfix',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      `myhostname = ${basename(dir).toLowerCase().replace(/[^a-z0-9]/g, '')}.postfix.test`,
      'mydestination =',
      'alias_maps =',
      'alias_database =',
      `relayhost = [127.0.0.1]:${options.relayPort}`,
      // Postfix refuses to write its log anywhere not listed here, and then exits silently.
      `maillog_file = ${dir}/maillog`,
      `maillog_file_prefixes = ${dir}`,
      generated,
    ].join('\n'));

    const submissionPort = await freePort();
    const [submission] = config.postfix.masterCf.split(/\n(?=submissions )/);
    const service = replaceOnce(
      replaceOnce(replaceOnce(submission, /^submission inet /m, `127.0.0.1:${submissionPort} inet `), 'smtpd_tls_security_level=encrypt', 'smtpd_tls_security_level=none'),
      'smtpd_tls_auth_only=yes', 'smtpd_tls_auth_only=no');
    await writeFile(join(dir, 'master.cf'), `${service}\n${BASE_MASTER_CF}`);

    const postfix = new TestPostfix(dir, submissionPort);
    try {
      await run('postfix', ['-c', dir, 'start']);
      await waitFor(() => greets(submissionPort), STARTUP_TIMEOUT_MS);
    } catch (error) {
      const log = await postfix.log();
      await postfix.stop();
      throw new Error(`Postfix did not start (${(error as Error).message}):\n${log || '(no log)'}`);
    }
    return postfix;
  }

  async log(): Promise<string> {
    return readFile(join(this.dir, 'maillog'), 'utf8').catch(() => '');
  }

  async stop(): Promise<void> {
    await run('postfix', ['-c', this.dir, 'stop']).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function postfixIds(): Promise<[number, number]> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postfix']), run('id', ['-g', 'postfix'])]);
  return [Number(uid), Number(gid)];
}

function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  expect(text.split(search)).toHaveLength(2);
  return text.replace(search, replacement);
}

/** Whether an SMTP server answers on `port` with its 220 greeting. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.setTimeout(1000, () => socket.destroy());
    let received = '';
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (!received.includes('\r\n')) return;
      resolve(received.startsWith('220 '));
      socket.end('QUIT\r\n');
    });
    socket.once('close', () => resolve(false));
    socket.once('error', () => resolve(false));
  });
}
