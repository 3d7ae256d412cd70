import http from 'node:http';
import https from 'node:https';
import type { WebhookTarget } from '../webhook-destination.js';

/** What the log keeps of a response body. */
export const RESPONSE_EXCERPT_BYTES = 1024;
// Read no further than this: a receiver streaming megabytes must not hold a worker.
const RESPONSE_READ_CAP_BYTES = 16 * 1024;
// Connections are kept alive per approved IP literal (and TLS server name): a busy endpoint is
// not a TCP and TLS handshake per event. Idle ones close after this long; at most this many pools.
const IDLE_SOCKET_MS = 30_000;
const MAX_POOLS = 500;
const MAX_SOCKETS_PER_POOL = 50;

export interface HttpOutcome {
  status: number | null;
  /** A connection-level error code (ETIMEDOUT, ECONNREFUSED, …) when no status came back. */
  error: string | null;
  retryAfter: string | null;
  excerpt: string | null;
  latencyMs: number;
}

export interface PostOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
}

const pools = new Map<string, http.Agent>();

/** The keep-alive pool of one destination; the oldest pool is closed when there are too many. */
function poolFor(target: WebhookTarget, address: string, servername: string | undefined): http.Agent {
  const key = `${target.tls ? 'https' : 'http'}|${address}|${target.port}|${servername ?? ''}`;
  let agent = pools.get(key);
  if (!agent) {
    const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, maxSockets: MAX_SOCKETS_PER_POOL, maxFreeSockets: MAX_SOCKETS_PER_POOL };
    agent = target.tls ? new https.Agent(options) : new http.Agent(options);
    pools.set(key, agent);
    if (pools.size > MAX_POOLS) {
      const [oldest] = pools.keys();
      pools.get(oldest)!.destroy();
      pools.delete(oldest);
    }
  }
  return agent;
}

/**
 * One POST to an approved IP literal of the target. The Host header and the TLS server name
 * stay the URL's host, so virtual hosting and certificate checks work as if by name. Redirects
 * are not followed (node's http never does). Never throws: every failure is an outcome.
 */
export function postWebhook(target: WebhookTarget, address: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<HttpOutcome> {
  const started = performance.now();
  const servername = target.tls && !/^[\d.:]+$/.test(target.host) ? target.host : undefined;
  return new Promise((resolve) => {
    let done = false;
    // A socket that did not end cleanly is destroyed, never handed back to the pool.
    const finish = (outcome: Omit<HttpOutcome, 'latencyMs'>, destroy: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      if (destroy) request.destroy();
      resolve({ ...outcome, latencyMs: Math.round(performance.now() - started) });
    };
    const fail = (error: string) => finish({ status: null, error, retryAfter: null, excerpt: null }, true);
    const payload = Buffer.from(body, 'utf8');
    const request = (target.tls ? https : http).request({
      host: address, port: target.port, method: 'POST', path: `${target.url.pathname}${target.url.search}`, servername,
      headers: {
        ...headers, host: target.url.host, 'content-type': 'application/json', 'content-length': String(payload.length),
        'user-agent': 'Postmaster-Webhooks/1',
      },
      agent: poolFor(target, address, servername),
    });
    const connectTimer = setTimeout(() => fail('ECONNECTTIMEOUT'), options.connectTimeoutMs);
    const totalTimer = setTimeout(() => fail('ETIMEDOUT'), options.totalTimeoutMs);
    request.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once(target.tls ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
    });
    request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'EREQUEST'));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const settle = (complete: boolean) => {
        const excerpt = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replace(/\0/g, '');
        const retryAfter = response.headers['retry-after'];
        finish({ status: response.statusCode ?? null, error: null, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, excerpt }, !complete);
      };
      response.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_READ_CAP_BYTES) settle(false);
      });
      response.on('end', () => settle(true));
      response.on('error', () => settle(false));
    });
    request.end(payload);
  });
}
