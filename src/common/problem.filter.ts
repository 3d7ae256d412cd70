import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Prisma } from '../generated/prisma/client.js';
import { Problem } from './problem.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 409: 'Conflict', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

// Fastify's own errors (body parsing, limits) carry a code; map them to ours.
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length'],
};

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'route_not_found',
  405: 'method_not_allowed', 413: 'payload_too_large', 415: 'unsupported_media_type',
};

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const problem = this.toProblem(error, request);
    reply
      .status(problem.status)
      .headers(problem.headers ?? {})
      .type('application/problem+json')
      .send({
        type: `https://postmaster.dev/problems/${problem.code}`,
        title: TITLES[problem.status] ?? 'Error',
        status: problem.status,
        detail: problem.detail,
        code: problem.code,
        ...(problem.errors && { errors: problem.errors }),
        ...(problem instanceof InternalProblem && { errorId: problem.errorId }),
      });
  }

  private toProblem(error: unknown, request: FastifyRequest): Problem {
    if (error instanceof Problem) return error;
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      if (error.code === 'P2002') return Problem.conflict('already_exists', 'A resource with these values already exists.');
      if (error.code === 'P2025') return Problem.notFound();
    }
    // The Fastify adapter wraps Fastify's own client errors in an HttpException, cause kept.
    const fastifyError = (error instanceof HttpException ? error.cause : error) as { code?: string; message: string };
    const mapped = FASTIFY_CODES[fastifyError?.code ?? ''];
    // A route may name its own code for a body over its limit (POST /v1/messages: message_too_large).
    const routeCode = (request.routeOptions?.config as { bodyTooLargeCode?: string } | undefined)?.bodyTooLargeCode;
    if (mapped && mapped[0] === 413 && routeCode) return new Problem(413, routeCode, fastifyError.message);
    if (mapped) return new Problem(mapped[0], mapped[1], fastifyError.message);
    if (error instanceof HttpException && error.getStatus() < 500) {
      const status = error.getStatus();
      return new Problem(status, HTTP_CODES[status] ?? 'bad_request', error.message);
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, requestId: request.id, err: error }, 'unhandled error');
    return new InternalProblem(errorId);
  }
}

class InternalProblem extends Problem {
  constructor(readonly errorId: string) {
    super(500, 'internal_error', `Something went wrong on our side. Quote error id ${errorId} to support.`);
  }
}
