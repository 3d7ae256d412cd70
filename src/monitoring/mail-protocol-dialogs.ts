import type { MailProtocol } from '../settings-lookup/mail-endpoints.js';
import { type ProbeConnection, ProbeFailure } from './probe-connection.js';

/** The few commands a probe speaks: no login, nothing that changes state on the server. */
export interface ProtocolDialog {
  /** What the server's first line must look like (RFC 9051 §7.1.1, RFC 1939 §4, RFC 5321 §4.2). */
  greeting: RegExp;
  greet(connection: ProbeConnection): Promise<string>;
  /** Asks for the switch to TLS; the handshake follows. */
  requestTls(connection: ProbeConnection, ehloName: string): Promise<void>;
  /** What must hold once the session is encrypted. */
  checkSecureSession(connection: ProbeConnection, ehloName: string): Promise<void>;
  quit(connection: ProbeConnection): void;
}

const SMTP_LAST_LINE = /^\d{3}(?: |$)/;
const printable = (line: string) => line.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);

function expectGreeting(line: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(line)) throw new ProbeFailure('bad_greeting', `Expected a greeting starting "${expected}", got "${printable(line)}".`);
  return printable(line);
}

const imap: ProtocolDialog = {
  greeting: /^\* OK\b/i,
  async greet(connection) {
    return expectGreeting(await connection.readLine(), this.greeting, '* OK');
  },
  async requestTls(connection) {
    connection.write('p1 STARTTLS');
    const reply = (await connection.readReply((line) => line.startsWith('p1 '))).at(-1)!;
    if (!/^p1 OK\b/i.test(reply)) throw new ProbeFailure('starttls_refused', `STARTTLS was refused: "${printable(reply)}".`);
  },
  async checkSecureSession() {},
  quit(connection) {
    connection.write('p2 LOGOUT');
  },
};

const pop3: ProtocolDialog = {
  greeting: /^\+OK\b/,
  async greet(connection) {
    return expectGreeting(await connection.readLine(), this.greeting, '+OK');
  },
  async requestTls(connection) {
    connection.write('STLS');
    const reply = await connection.readLine();
    if (!reply.startsWith('+OK')) throw new ProbeFailure('starttls_refused', `STLS was refused: "${printable(reply)}".`);
  },
  async checkSecureSession() {},
  quit(connection) {
    connection.write('QUIT');
  },
};

async function ehlo(connection: ProbeConnection, name: string): Promise<string[]> {
  connection.write(`EHLO ${name}`);
  const reply = await connection.readReply((line) => SMTP_LAST_LINE.test(line));
  if (!reply[0].startsWith('250')) throw new ProbeFailure('ehlo_refused', `EHLO was refused: "${printable(reply[0])}".`);
  return reply.map((line) => line.slice(4));
}

const smtp: ProtocolDialog = {
  greeting: /^220(?:[ -]|$)/,
  async greet(connection) {
    // Up to the last line of a multi-line 220 (RFC 5321 §4.2.1); any other line ends it too.
    const lines = await connection.readReply((line) => !/^\d{3}-/.test(line));
    return expectGreeting(lines[0], this.greeting, '220');
  },
  async requestTls(connection, ehloName) {
    const extensions = await ehlo(connection, ehloName);
    if (!extensions.some((extension) => /^STARTTLS$/i.test(extension.trim()))) {
      throw new ProbeFailure('starttls_not_offered', 'The server does not offer STARTTLS in its EHLO answer.');
    }
    connection.write('STARTTLS');
    const reply = await connection.readLine();
    if (!reply.startsWith('220')) throw new ProbeFailure('starttls_refused', `STARTTLS was refused: "${printable(reply)}".`);
  },
  // Submission is useless without authentication (RFC 6409 §4.3); servers offer AUTH only
  // inside TLS, so this is checked after the switch.
  async checkSecureSession(connection, ehloName) {
    const extensions = await ehlo(connection, ehloName);
    if (!extensions.some((extension) => /^AUTH[ =]/i.test(extension))) {
      throw new ProbeFailure('smtp_auth_not_offered', 'The server offers no AUTH mechanism after TLS: clients cannot log in to send.');
    }
  },
  quit(connection) {
    connection.write('QUIT');
  },
};

export const DIALOGS: Record<MailProtocol, ProtocolDialog> = { imap, pop3, smtp };
