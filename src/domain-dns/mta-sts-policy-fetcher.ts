import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { CONFIG, type Config } from '../config/config.js';
import { MTA_STS_POLICY_PATH } from '../domains/mta-sts-policy.js';
import { withoutAddresses } from '../net/address-text.js';
import { DestinationPolicy, privateDestinationText } from '../net/destination-policy.js';

// RFC 8461 §3.3: senders bound the fetch in time and size (64 KiB suggested): a policy that
// takes longer or is larger is one they never see. The whole fetch, every address tried, fits
// in the timeout, so a DNS check stays short even when the host swallows packets.
export const POLICY_FETCH_TIMEOUT_MS = 5_000;
export const POLICY_MAX_BYTES = 64 * 1024;
// Node's codes for a certificate that fails verification (OpenSSL's, and the name check's).
const CERTIFICATE_ERROR = /^(ERR_TLS_CERT_ALTNAME_INVALID|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

export type PolicyFetch =
  | { kind: 'no_address' }
  | { kind: 'unreachable'; reason: string }
  /** `names`: the certificate's DNS names when it is trusted but issued for other names. */
  | { kind: 'certificate'; code: string; names: string[] | null }
  | { kind: 'too_large' }
  | { kind: 'answer'; status: number; contentType: string | null; location: string | null; body: string };

/**
 * GET https://<host>/.well-known/mta-sts.txt the way a sending MTA does (RFC 8461 §3.3): the host
 * resolved through DNS_SERVERS, the certificate verified for the host name (SNI set, Node's CAs
 * plus MTA_STS_FETCH_CA_FILE), no redirect followed, no cache, time and size bounded. The tenant
 * chooses where mta-sts.<domain> points, so only addresses the destination policy allows are
 * connected to, by IP literal; and what is reported names the host, never an address or port.
 */
@Injectable()
export class MtaStsPolicyFetcher {
  private readonly port: number;
  private readonly ca: string[] | undefined;

  constructor(
    @Inject(CONFIG) config: Config,
    private readonly destinations: DestinationPolicy,
  ) {
    this.port = config.MTA_STS_FETCH_PORT;
    // A private CA comes on top of the public ones, not instead of them.
    this.ca = config.MTA_STS_FETCH_CA_FILE ? [...rootCertificates, readFileSync(config.MTA_STS_FETCH_CA_FILE, 'utf8')] : undefined;
  }

  async fetch(host: string): Promise<PolicyFetch> {
    const { addresses, refused } = await this.destinations.resolve(host);
    if (!addresses.length) return refused ? { kind: 'unreachable', reason: privateDestinationText(host) } : { kind: 'no_address' };
    const deadline = Date.now() + POLICY_FETCH_TIMEOUT_MS;
    let result: PolicyFetch = { kind: 'unreachable', reason: `no answer within ${POLICY_FETCH_TIMEOUT_MS} ms` };
    // Like a sender, the next address only when this one cannot be reached at all.
    for (const address of addresses) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      result = await this.fetchFrom(address, host, left);
      if (result.kind !== 'unreachable') return result;
    }
    return result;
  }

  private fetchFrom(address: string, host: string, timeoutMs: number): Promise<PolicyFetch> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: PolicyFetch) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(result);
      };
      const req = request({
        host: address, port: this.port, path: MTA_STS_POLICY_PATH, method: 'GET', servername: host,
        headers: { host, accept: 'text/plain', 'cache-control': 'no-cache' }, ca: this.ca, rejectUnauthorized: true, agent: false,
      }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > POLICY_MAX_BYTES) done({ kind: 'too_large' });
          else chunks.push(chunk);
        });
        res.on('end', () => done({
          kind: 'answer', status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null,
          location: res.headers.location ?? null, body: Buffer.concat(chunks).toString('utf8'),
        }));
        res.on('error', (error) => done(failure(error, host)));
      });
      const timer = setTimeout(() => done({ kind: 'unreachable', reason: `no answer from ${host} within ${POLICY_FETCH_TIMEOUT_MS} ms` }), timeoutMs);
      req.on('error', (error) => done(failure(error, host)));
      req.end();
    });
  }
}

function failure(error: NodeJS.ErrnoException & { cert?: { subjectaltname?: string } }, host: string): PolicyFetch {
  const code = error.code ?? 'EUNKNOWN';
  if (CERTIFICATE_ERROR.test(code)) {
    const names = code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? (error.cert?.subjectaltname ?? '').split(', ').filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4))
      : null;
    return { kind: 'certificate', code, names };
  }
  if (code === 'ECONNREFUSED') return { kind: 'unreachable', reason: `connection refused by ${host}` };
  return { kind: 'unreachable', reason: `${host}: ${withoutAddresses(error.message, host)}` };
}
