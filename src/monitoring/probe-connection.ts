import { type Socket, connect as connectTcp } from 'node:net';
import { type TLSSocket, connect as connectTls } from 'node:tls';
import { withoutAddresses } from '../net/address-text.js';

// A probe's failure: a stable code and a message for the platform admin.
export class ProbeFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// A greeting or reply line longer than this is not a mail protocol talking.
const MAX_LINE_BYTES = 8 * 1024;

/**
 * One TCP connection of a probe, read line by line, that can be switched to TLS (implicit TLS
 * at once, or after STARTTLS). Every wait is bounded by `timeoutMs`.
 */
export class ProbeConnection {
  private buffer = '';
  private closed: Error | null = null;
  private wake: (() => void) | null = null;

  private constructor(
    private socket: Socket | TLSSocket,
    private readonly timeoutMs: number,
  ) {
    this.listen();
  }

  /** `host` names the server in messages: the address connected to may be internal, and is not told. */
  static open(address: string, port: number, timeoutMs: number, host = address): Promise<ProbeConnection> {
    return new Promise((resolve, reject) => {
      const socket = connectTcp({ host: address, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ProbeFailure('connect_timeout', `No TCP connection to ${host} port ${port} within ${timeoutMs} ms (filtered or down).`));
      }, timeoutMs);
      const failed = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const refused = error.code === 'ECONNREFUSED';
        reject(new ProbeFailure(
          refused ? 'connection_refused' : 'unreachable',
          refused ? `Port ${port} on ${host} is closed (connection refused).` : `Cannot connect to ${host} port ${port}: ${withoutAddresses(error.message, host)}.`,
        ));
      };
      socket.on('error', failed);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        resolve(new ProbeConnection(socket, timeoutMs));
      });
    });
  }

  /** TLS over this connection, SNI and certificate for `servername`; the chain is checked by the caller. */
  async startTls(servername: string, ca: string[] | undefined): Promise<TLSSocket> {
    // Anything already read was sent before the handshake, in plaintext: accepting it as part
    // of the encrypted session is the STARTTLS command-injection flaw (CVE-2011-0411).
    if (this.buffer !== '') throw new ProbeFailure('plaintext_after_starttls', 'The server sent data between its STARTTLS answer and the TLS handshake.');
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    // The TLS socket reports failures from here on; an unheard error event would end the process.
    plain.on('error', () => {});
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const socket = connectTls({ socket: plain as Socket, servername, ca, rejectUnauthorized: false });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ProbeFailure('tls_timeout', `No TLS handshake within ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      const failed = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ProbeFailure('tls_handshake_failed', `The TLS handshake failed: ${error.code ?? ''} ${error.message}`.trim()));
      };
      // Kept until the connection listens itself: a TLS socket may report more than one error.
      socket.on('error', failed);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', failed);
        resolve(socket);
      });
    });
    this.socket = secure;
    this.listen();
    return secure;
  }

  write(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** The next line without its CRLF. */
  async readLine(): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\n');
      if (end >= 0) {
        const line = this.buffer.slice(0, end).replace(/\r$/, '');
        this.buffer = this.buffer.slice(end + 1);
        return line;
      }
      if (this.buffer.length > MAX_LINE_BYTES) throw new ProbeFailure('bad_reply', 'The server sent a line of more than 8 KiB.');
      if (this.closed) throw new ProbeFailure('connection_closed', `The server closed the connection: ${this.closed.message}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new ProbeFailure('reply_timeout', `No answer within ${this.timeoutMs} ms.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Lines up to and including the one `isLast` accepts (SMTP's "250 " after "250-", IMAP's tagged reply). */
  async readReply(isLast: (line: string) => boolean): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine();
      lines.push(line);
      if (isLast(line)) return lines;
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private listen(): void {
    const notify = () => {
      this.wake?.();
      this.wake = null;
    };
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      notify();
    });
    this.socket.on('error', (error) => {
      this.closed = error;
      notify();
    });
    this.socket.on('close', () => {
      this.closed ??= new Error('connection closed');
      notify();
    });
  }
}
