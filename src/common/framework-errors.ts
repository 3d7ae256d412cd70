import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

// Requests Fastify refuses before any route (and so before Nest's ProblemFilter) runs. By default
// it answers them in its own JSON shape; these two options make them speak problem+json too.

// The router: a path segment that is not valid percent-encoded UTF-8 (`/v1/domains/%ED%A0%80`),
// and a path parameter longer than the router's maxParamLength (100 characters).
const ROUTER_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_BAD_URL: [400, 'bad_request', 'The URL has a path segment that is not valid percent-encoded UTF-8.'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long', 'A path parameter is longer than any valid one.'],
};

// Node's HTTP parser: a request head over its 16 KiB limit (a huge query string or header), a
// request that is not HTTP, or one that took too long to arrive.
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request_header_too_large', 'The request line and headers exceed 16 KiB.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request did not arrive in time.'],
};
const MALFORMED_REQUEST: [number, string, string] = [400, 'bad_request', 'The request is not valid HTTP/1.1.'];

function problemBody(status: number, code: string, detail: string): string {
  return JSON.stringify({ type: `https://postmaster.dev/problems/${code}`, title: STATUS_CODES[status], status, detail, code });
}

/** Fastify's `frameworkErrors` option. */
export function replyFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  // Anything else reported here (a failing async route constraint; none is used) is ours to fix.
  const [status, code, detail] = ROUTER_ERRORS[error.code] ?? [500, 'internal_error', 'Something went wrong on our side.'];
  void reply.status(status).type('application/problem+json').send(problemBody(status, code, detail));
}

/** Fastify's `clientErrorHandler` option: as Fastify's default (and Node's), with our body. */
export function writeClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED_REQUEST;
  const body = problemBody(status, code, detail);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
      + `Content-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
