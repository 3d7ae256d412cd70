import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { CONFIG, type Config } from '../config/config.js';
import { UNAVAILABLE } from './policy-answers.js';
import { PolicyProtocolError, type PolicyRequest, renderAnswer, takeRequests } from './policy-protocol.js';
import { PolicyService } from './policy.service.js';

// Postfix closes an idle policy connection itself after smtpd_policy_service_max_idle (300 s);
// this only reaps peers that vanished without a FIN.
export const IDLE_TIMEOUT_MS = 10 * 60_000;

/**
 * The TCP side of the policy service: persistent connections, each request answered in order
 * (Postfix sends the next one only after the answer). Holds no state beyond a connection's
 * unfinished bytes, so any number of these can stand behind one Postfix.
 */
@Injectable()
export class PolicyServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PolicyServer.name);
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly policy: PolicyService,
  ) {
    this.server = createServer((socket) => this.serve(socket));
    this.server.on('error', (error) => this.logger.error({ err: error }, 'policy server error'));
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.POLICY_PORT, this.config.POLICY_HOST, () => resolve());
    });
    const { address, port } = this.server.address() as AddressInfo;
    this.logger.log({ address, port }, 'policy service listening');
  }

  /** Stops accepting and ends the open connections: Postfix then applies its default_action. */
  async onApplicationShutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = '';
    let queue: PolicyRequest[] = [];
    let busy = false;
    const drain = async () => {
      busy = true;
      while (queue.length && !socket.destroyed) {
        const request = queue.shift()!;
        // decide() answers every failure itself; this is for a bug, which must not end the process.
        const answer = await this.policy.decide(request).catch((error: unknown) => {
          this.logger.error({ err: error }, 'policy: decision failed');
          return UNAVAILABLE;
        });
        socket.write(renderAnswer(answer));
      }
      busy = false;
    };
    socket.on('data', (chunk: string) => {
      try {
        const { requests, rest } = takeRequests(buffered + chunk);
        buffered = rest;
        queue = queue.concat(requests);
      } catch (error) {
        if (!(error instanceof PolicyProtocolError)) throw error;
        this.logger.warn({ remote: socket.remoteAddress, reason: error.message }, 'policy: closing a connection that broke the protocol');
        socket.destroy();
        return;
      }
      if (!busy && queue.length) void drain();
    });
  }

  /** Where it listens (tests and benches pass port 0). */
  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }
}
