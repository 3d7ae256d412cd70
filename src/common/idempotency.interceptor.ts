import {
  type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, UseInterceptors, applyDecorators,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, catchError, from, mergeMap, of } from 'rxjs';
import { type Caller, credentialOf } from '../auth/caller.js';
import { CONFIG, type Config } from '../config/config.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { Problem } from './problem.js';
import { requestFingerprint } from './request-fingerprint.js';
import { deriveKey, open, seal } from './secrets.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

interface RequestKey {
  credential: string;
  key: string;
}

/** A create route that honours `Idempotency-Key`: a retry with the same key and body replays the first answer. */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry-safe creation: the same key and body return the first answer.' }),
  );

// The key is claimed with an insert before the handler runs, so two concurrent retries cannot
// both create; a failed attempt releases the key so that the client can try again.
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly hashKey: Buffer;
  private readonly bodyKey: Buffer;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(CONFIG) config: Config,
  ) {
    this.hashKey = deriveKey(config, 'idempotency-hash');
    this.bodyKey = deriveKey(config, 'idempotency-body');
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user: Caller }>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
      throw new Problem(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 printable ASCII characters.');
    }
    // Per credential: another key of the same tenant must not receive this key's answers.
    const key: RequestKey = { credential: credentialOf(request.user), key: header };
    const requestHash = requestFingerprint(this.hashKey, request.method, request.url, request.body);
    const claimed = await this.prisma.$executeRaw`
      INSERT INTO idempotent_requests (credential, key, request_hash) VALUES (${key.credential}, ${key.key}, ${requestHash})
      ON CONFLICT (credential, key) DO NOTHING`;
    if (!claimed) return of(await this.replay(key, requestHash, context.switchToHttp().getResponse<FastifyReply>()));
    return next.handle().pipe(
      mergeMap((body) => from(this.remember(key, Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? 201, body))),
      catchError((error) => from(this.release(key).then(() => Promise.reject(error)))),
    );
  }

  private async replay(key: RequestKey, requestHash: string, reply: FastifyReply): Promise<unknown> {
    const first = await this.prisma.idempotentRequest.findUnique({ where: { credential_key: key } });
    if (first && first.requestHash !== requestHash) {
      throw new Problem(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
    }
    if (!first || first.status === null) {
      throw Problem.conflict('idempotency_request_in_progress', 'A request with this Idempotency-Key is still in progress.');
    }
    reply.header('idempotent-replayed', 'true');
    return first.body && JSON.parse(open(this.bodyKey, first.body).toString('utf8'));
  }

  private async remember(key: RequestKey, status: number, body: unknown): Promise<unknown> {
    const json = JSON.stringify(body ?? null);
    await this.prisma.idempotentRequest.update({ where: { credential_key: key }, data: { status, body: new Uint8Array(seal(this.bodyKey, Buffer.from(json))) } });
    return JSON.parse(json);
  }

  private async release(key: RequestKey): Promise<void> {
    await this.prisma.idempotentRequest.delete({ where: { credential_key: key } });
  }
}
