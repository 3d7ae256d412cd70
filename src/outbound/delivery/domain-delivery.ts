import { Inject, Injectable } from '@nestjs/common';
import type { NodemailerError } from 'nodemailer';
import { CONFIG, type Config } from '../../config/config.js';
import { withoutAddresses } from '../../net/address-text.js';
import { MxRouter } from './mx-route.js';
import { type AttemptResult, accepted, failed, isTlsFailure, tryNextHost } from './smtp-outcome.js';
import { SmtpTransports } from './smtp-transports.js';

export interface RecipientTarget {
  id: string;
  address: string;
}

/** One recipient's share of one try: what happened, and at which host. */
export interface RecipientAttempt {
  recipientId: string;
  address: string;
  host: string | null;
  result: AttemptResult;
}

interface HostTry {
  attempts: RecipientAttempt[];
  /** Nothing was said about the recipients: the next MX host may do better. */
  moveOn: boolean;
}

/**
 * Delivers one message to the recipients of one destination domain in one SMTP transaction:
 * through the relay when one is configured, else to the domain's MX hosts in preference order
 * (each address of each host, until one gives an answer about the recipients). Each connection
 * goes to an IP literal the MX route has checked against the destination policy, with the MX
 * name for TLS; the relay is the operator's own and is not checked.
 */
@Injectable()
export class DomainDelivery {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transports: SmtpTransports,
    private readonly mx: MxRouter,
  ) {}

  async deliver(domain: string, from: string, recipients: RecipientTarget[], raw: Buffer, signal: AbortSignal): Promise<RecipientAttempt[]> {
    const relayUrl = this.transports.relayUrl;
    if (relayUrl) return (await this.tryHost(new URL(relayUrl).hostname, false, () => this.transports.relay(), from, recipients, raw, signal)).attempts;

    const route = await this.mx.route(domain);
    if ('failure' in route) return recipients.map((r) => ({ recipientId: r.id, address: r.address, host: null, result: route.failure }));
    let last: HostTry | undefined;
    for (const host of route.hosts) {
      for (const address of host.addresses) {
        last = await this.tryHost(host.name, true, (plain) => this.transports.direct(host.name, address, plain), from, recipients, raw, signal);
        if (!last.moveOn || signal.aborted) return last.attempts;
      }
    }
    return last!.attempts;
  }

  private async tryHost(
    host: string, direct: boolean, pool: (plain: boolean) => ReturnType<SmtpTransports['relay']>,
    from: string, recipients: RecipientTarget[], raw: Buffer, signal: AbortSignal,
  ): Promise<HostTry> {
    // Tenants read these results: a failure without an SMTP reply names the host, not the
    // address and port connected to (the relay's may be internal).
    const shownAs = direct ? host : 'the relay';
    const attempt = (address: string, result: AttemptResult): RecipientAttempt => ({
      recipientId: recipients.find((r) => r.address === address)!.id, address, host,
      result: result.code === null ? { ...result, response: withoutAddresses(result.response, shownAs) } : result,
    });
    const envelope = { from, to: recipients.map((r) => r.address) };
    try {
      let info;
      try {
        info = await this.transports.send(pool(false), envelope, raw, signal);
      } catch (error) {
        // The one retry in plain text that policy may allow after a failed STARTTLS handshake.
        if (!(direct && isTlsFailure(error as NodemailerError) && this.config.OUTBOUND_TLS === 'opportunistic-plain-fallback')) throw error;
        info = await this.transports.send(pool(true), envelope, raw, signal);
      }
      const rejected = new Map((info.rejectedErrors ?? []).map((e) => [e.recipient, e]));
      return {
        moveOn: false,
        attempts: envelope.to.map((address) => {
          const rejection = rejected.get(address);
          return attempt(address, rejection ? failed(rejection) : accepted(info.response));
        }),
      };
    } catch (caught) {
      const error = caught as NodemailerError;
      const rejected = new Map((error.rejectedErrors ?? []).map((e) => [e.recipient, e]));
      return {
        moveOn: tryNextHost(error),
        attempts: envelope.to.map((address) => attempt(address, failed(rejected.get(address) ?? error))),
      };
    }
  }
}
