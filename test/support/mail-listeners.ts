import { type AddressInfo, type Server, type Socket, createServer as createTcpServer } from 'node:net';
import { TLSSocket, createSecureContext, createServer as createTlsServer } from 'node:tls';
import { SMTPServer } from 'smtp-server';
import type { TestCertificate } from './test-certificates.js';

export interface Listener {
  port: number;
  close(): Promise<void>;
}

type Mode = 'implicit' | 'starttls';

// IMAP and POP3 listeners that speak just what a probe sends: the greeting, STARTTLS/STLS and
// LOGOUT/QUIT (RFC 9051 §6.2.1, RFC 2595 §4). SMTP runs on the real `smtp-server` package.
const DIALECTS = {
  imap: {
    greeting: '* OK [CAPABILITY IMAP4rev1 STARTTLS] test IMAP ready',
    answer(line: string): { reply: string; then?: 'tls' | 'close' } {
      const [tag, command = ''] = line.split(' ');
      if (/^STARTTLS$/i.test(command)) return { reply: `${tag} OK Begin TLS negotiation now`, then: 'tls' };
      if (/^LOGOUT$/i.test(command)) return { reply: `* BYE logging out\r\n${tag} OK LOGOUT completed`, then: 'close' };
      return { reply: `${tag} BAD unknown command` };
    },
  },
  pop3: {
    greeting: '+OK test POP3 ready',
    answer(line: string): { reply: string; then?: 'tls' | 'close' } {
      if (/^STLS$/i.test(line)) return { reply: '+OK Begin TLS negotiation', then: 'tls' };
      if (/^QUIT$/i.test(line)) return { reply: '+OK bye', then: 'close' };
      return { reply: '-ERR unknown command' };
    },
  },
};

export async function startGreetingListener(protocol: 'imap' | 'pop3', mode: Mode, certificate: TestCertificate): Promise<Listener> {
  const dialect = DIALECTS[protocol];
  const secureContext = createSecureContext(certificate);
  const session = (socket: Socket, greet: boolean) => {
    let buffer = '';
    socket.on('error', () => {});
    if (greet) socket.write(`${dialect.greeting}\r\n`);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        const { reply, then } = dialect.answer(line);
        socket.write(`${reply}\r\n`);
        if (then === 'close') socket.end();
        if (then === 'tls') {
          socket.off('data', onData);
          session(new TLSSocket(socket, { isServer: true, secureContext }), false);
          return;
        }
      }
    };
    socket.on('data', onData);
  };
  const server: Server = mode === 'implicit'
    ? createTlsServer({ ...certificate }, (socket) => session(socket, true))
    : createTcpServer((socket) => session(socket, true));
  return listen(server);
}

/** A real SMTP server (smtp-server) with AUTH offered only inside TLS, or not at all. */
export async function startSmtpListener(mode: Mode, certificate: TestCertificate, options: { auth?: boolean } = {}): Promise<Listener> {
  const server = new SMTPServer({
    secure: mode === 'implicit',
    key: certificate.key,
    cert: certificate.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: options.auth === false ? ['AUTH'] : [],
    logger: false,
    closeTimeout: 100,
    onAuth: (_, __, callback) => callback(new Error('no logins here')),
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port that was free a moment ago and has nothing listening: connections are refused. */
export async function closedPort(): Promise<number> {
  const listener = await listen(createTcpServer());
  await listener.close();
  return listener.port;
}

async function listen(server: Server): Promise<Listener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
