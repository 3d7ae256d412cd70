import type { FastifyInstance, FastifyReply } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config/config.js';

// RFC 6750 §2.1: the scheme is case-insensitive, the token one b64token.
const BEARER = /^Bearer +([\w.~+/-]+=*) *$/i;

// Prometheus metrics for the API process: request counts and latencies by route template
// (never the raw URL, whose ids would explode the label set). They name every route and show
// the traffic, so they are served only to a scraper holding METRICS_TOKEN; without one the
// route is not registered at all (404), and nothing is counted.
export function installMetrics(fastify: FastifyInstance, config: Pick<Config, 'METRICS_TOKEN'>): void {
  if (!config.METRICS_TOKEN) return;
  const expected = digest(config.METRICS_TOKEN);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'postmaster_http_requests_total',
    help: 'HTTP requests by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'postmaster_http_request_duration_seconds',
    help: 'HTTP request latency by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: reply.statusCode });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  fastify.get('/metrics', async (request, reply) => {
    const header = request.headers.authorization;
    if (!header) return unauthorized(reply, 'unauthenticated', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".');
    const token = BEARER.exec(header)?.[1];
    // Compared as fixed-length digests: timingSafeEqual needs equal lengths, and the time taken
    // must not tell how much of a guess was right.
    if (!token || !timingSafeEqual(digest(token), expected)) {
      return unauthorized(reply, 'invalid_metrics_token', 'The metrics token is not valid.');
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

// This route is Fastify's own, outside Nest's exception filter, so it writes its problem itself
// in the shape ProblemFilter gives every other error.
function unauthorized(reply: FastifyReply, code: string, detail: string): FastifyReply {
  return reply
    .status(401)
    .header('www-authenticate', 'Bearer realm="metrics"')
    .type('application/problem+json')
    .send({ type: `https://postmaster.dev/problems/${code}`, title: 'Unauthorized', status: 401, detail, code });
}

