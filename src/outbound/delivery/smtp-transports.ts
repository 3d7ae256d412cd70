import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type SMTPPoolOptions, type SMTPPoolSentMessageInfo, type Transporter } from 'nodemailer';
import { CONFIG, type Config } from '../../config/config.js';
import { DestinationPolicy } from '../../net/destination-policy.js';
import { MAX_CONNECTIONS_PER_MX, MAX_DIRECT_POOLS, MESSAGES_PER_CONNECTION, POOL_IDLE_TIMEOUT_MS } from './delivery.constants.js';

type Pool = Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

export interface Envelope {
  /** "" is the null reverse-path (MAIL FROM:<>) of a DSN. */
  from: string;
  to: string[];
}

/**
 * nodemailer SMTP pools, one per destination (the relay, or one MX address), kept and reused
 * across messages and jobs so a busy destination is not paid a TCP and TLS handshake per message.
 */
@Injectable()
export class SmtpTransports implements OnModuleDestroy {
  private relayPool?: Pool;
  private readonly directPools = new Map<string, Pool>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly destinations: DestinationPolicy,
  ) {}

  get relayUrl(): string | undefined {
    return this.config.OUTBOUND_RELAY_URL;
  }

  /** The smarthost: smtp:// upgrades with STARTTLS when offered (verified), smtps:// is implicit TLS. */
  relay(): Pool {
    this.relayPool ??= nodemailer.createTransport({
      ...this.common(),
      url: this.config.OUTBOUND_RELAY_URL,
      maxConnections: this.config.OUTBOUND_CONCURRENCY,
    } as SMTPPoolOptions & { pool: true });
    return this.relayPool;
  }

  /**
   * Direct to one address of an MX host. Opportunistic STARTTLS does not verify the certificate
   * (RFC 7435: most MX certificates would fail, and refusing them would only mean plain text);
   * `plain` is the one retry in clear text the `opportunistic-plain-fallback` policy allows.
   * `address` is an IP literal (nodemailer then looks nothing up), checked here once more as the
   * address actually connected to: a refusal throws EPRIVATEDEST, a temporary failure.
   */
  direct(mxName: string, address: string, plain = false): Pool {
    this.destinations.assertDestinationAllowed(address, `MX host ${mxName}`);
    const key = `${address}|${mxName}|${plain ? 'plain' : 'tls'}`;
    let pool = this.directPools.get(key);
    if (!pool) {
      const policy = this.config.OUTBOUND_TLS;
      pool = nodemailer.createTransport({
        ...this.common(),
        host: address,
        port: this.config.OUTBOUND_MX_PORT,
        secure: false,
        servername: mxName,
        ignoreTLS: plain,
        requireTLS: policy === 'require',
        tls: { servername: mxName, rejectUnauthorized: false },
        maxConnections: MAX_CONNECTIONS_PER_MX,
      } as SMTPPoolOptions & { pool: true });
      this.directPools.set(key, pool);
      this.evictOldest();
    }
    return pool;
  }

  async send(pool: Pool, envelope: Envelope, raw: Buffer, signal: AbortSignal): Promise<SMTPPoolSentMessageInfo> {
    return pool.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw, signal } as Parameters<Pool['sendMail']>[0]);
  }

  onModuleDestroy() {
    this.relayPool?.close();
    for (const pool of this.directPools.values()) pool.close();
    this.directPools.clear();
  }

  private common(): SMTPPoolOptions & { pool: true } {
    const config = this.config;
    return {
      pool: true,
      name: config.OUTBOUND_HELO_NAME ?? config.MAIL_HOSTNAME,
      connectionTimeout: config.OUTBOUND_CONNECT_TIMEOUT_MS,
      greetingTimeout: config.OUTBOUND_CONNECT_TIMEOUT_MS,
      socketTimeout: config.OUTBOUND_SOCKET_TIMEOUT_MS,
      maxMessages: MESSAGES_PER_CONNECTION,
      idleTimeout: POOL_IDLE_TIMEOUT_MS,
      // A message on a connection that closes mid-send is one failed attempt, recorded and
      // retried on the schedule, not resent at once behind the record's back.
      maxRequeues: 0,
      logger: false,
    };
  }

  private evictOldest() {
    if (this.directPools.size <= MAX_DIRECT_POOLS) return;
    const [key, pool] = this.directPools.entries().next().value!;
    this.directPools.delete(key);
    pool.close();
  }
}
