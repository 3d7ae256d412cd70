import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PASSPORT, type PassportInstance, type StrategyName } from './passport.provider.js';

export interface Authentication<T> {
  /** What the strategy vouched for, or false when the credentials were wrong. */
  user: T | false;
  info: unknown;
}

/** `instance.authenticate` of this app's passport, as a promise: a strategy's error rejects it. */
@Injectable()
export class Authenticator {
  constructor(@Inject(PASSPORT) private readonly passport: PassportInstance) {}

  authenticate<T>(strategy: StrategyName, request: FastifyRequest): Promise<Authentication<T>> {
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate(strategy, { session: false }, (error: unknown, user: T | false, info: unknown) => {
        if (error) reject(error);
        else resolve({ user, info });
      });
      // With a callback, passport never answers on the response itself nor calls next.
      middleware(request, {}, reject);
    });
  }
}
