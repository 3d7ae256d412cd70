import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** How the sink answers one RCPT TO or one DATA: a reply, a dropped connection, or silence. */
export type SinkAnswer = 'accept' | 'drop' | 'stall' | { code: number; message: string };

export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
  secure: boolean;
  user?: string;
}

/**
 * A receiving MTA on loopback (the real `smtp-server` package), scripted per test: `rcpt` and
 * `data` decide each answer from the recipient and how many times it has been offered so far.
 */
export class SmtpSink {
  readonly received: SinkMessage[] = [];
  /** RCPT TO commands seen per address (lower-cased), accepted or not. */
  readonly offers = new Map<string, number>();
  /** DATA transfers received in full, whatever the answer to them. */
  dataTransfers = 0;
  rcpt: (address: string, offer: number) => SinkAnswer = () => 'accept';
  data: (to: string[]) => SinkAnswer = () => 'accept';
  private readonly stalled: (() => void)[] = [];

  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  /**
   * `starttls`: true offers it; false (the default) does not announce it but still answers it;
   * 'absent' refuses the command (500); 'broken' offers it, then fails every handshake (the server
   * speaks only TLS 1.0, below any current client's minimum).
   */
  static async start(options: { starttls?: boolean | 'absent' | 'broken'; auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
    let sink!: SmtpSink;
    const server = new SMTPServer({
      logger: false,
      hideSTARTTLS: options.starttls !== true && options.starttls !== 'broken',
      ...(options.starttls === 'broken' && { minVersion: 'TLSv1', maxVersion: 'TLSv1' }),
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: [...(options.auth ? [] : ['AUTH']), ...(options.starttls === 'absent' ? ['STARTTLS'] : [])],
      closeTimeout: 100,
      size: 50 * 1024 * 1024,
      onAuth: (auth, _session, callback) => {
        if (auth.username === options.auth?.user && auth.password === options.auth?.pass) return callback(null, { user: auth.username });
        callback(new Error('Invalid credentials'));
      },
      onRcptTo: (address, session, callback) => {
        const key = address.address.toLowerCase();
        const offer = (sink.offers.get(key) ?? 0) + 1;
        sink.offers.set(key, offer);
        sink.answer(sink.rcpt(key, offer), session, callback);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          sink.dataTransfers++;
          const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          sink.answer(sink.data(to), session, (error?: Error | null) => {
            if (!error) {
              const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
              sink.received.push({ from, to, raw: Buffer.concat(chunks), secure: session.secure, user: session.user as string | undefined });
            }
            callback(error ?? null);
          });
        });
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sink = new SmtpSink(server, (server.server.address() as AddressInfo).port);
    return sink;
  }

  /** Messages whose envelope named `address`. */
  to(address: string): SinkMessage[] {
    return this.received.filter((m) => m.to.includes(address.toLowerCase()));
  }

  async close(): Promise<void> {
    for (const release of this.stalled.splice(0)) release();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(answer: SinkAnswer, session: SMTPServerSession, callback: (error?: Error | null) => void) {
    if (answer === 'accept') return callback();
    if (answer === 'stall') {
      this.stalled.push(() => callback(Object.assign(new Error('closing'), { responseCode: 421 })));
      return;
    }
    if (answer === 'drop') {
      // smtp-server has no "hang up" answer: destroy this session's socket from its connection list.
      const connections = (this.server as unknown as { connections: Set<{ session: SMTPServerSession; _socket: { destroy(): void } }> }).connections;
      for (const connection of connections) if (connection.session.id === session.id) connection._socket.destroy();
      return;
    }
    callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
  }
}
