import type { Provider } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import CustomStrategy from 'passport-custom';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { Problem } from '../common/problem.js';
import { SESSION_COOKIE, CSRF_HEADER } from '../sessions/session-tokens.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { LoginCredentials } from '../sessions/login-credentials.service.js';

/** This application's own passport instance. */
export const PASSPORT = Symbol('PASSPORT');
export type PassportInstance = InstanceType<typeof passport.Passport>;
export type StrategyName = 'api-key' | 'session' | 'password';

// RFC 6750 §2.1: the scheme is case-insensitive, the token one b64token.
const BEARER = /^Bearer +([\w.~+/-]+=*) *$/i;

type Done = (error: unknown, user?: unknown, info?: unknown) => void;

/** A strategy whose verify step is a promise: its answer or its Problem goes to passport. */
function strategy(verify: (request: FastifyRequest) => Promise<[unknown, unknown?]>) {
  return new CustomStrategy((request, done: Done) => {
    verify(request as unknown as FastifyRequest).then(([user, info]) => done(null, user, info), (error: unknown) => done(error));
  });
}

/**
 * One Passport per application, never the process-global `passport` object that
 * `@nestjs/passport` uses: two apps in one process (tests) would otherwise authenticate through
 * whichever registered its strategies last. Passport itself gives each authenticate call its own
 * `Object.create(strategy)`, so the per-request callbacks it writes never meet another request's;
 * our verify functions keep no state of their own.
 */
export const passportProvider: Provider = {
  provide: PASSPORT,
  inject: [ApiKeysService, SessionsService, LoginCredentials],
  useFactory: (apiKeys: ApiKeysService, sessions: SessionsService, credentials: LoginCredentials): PassportInstance => {
    const instance = new passport.Passport();
    instance.use('api-key', strategy(async (request) => {
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (!token) throw new Problem(401, 'invalid_api_key', 'The API key is not valid.');
      return [await apiKeys.authenticate(token, request.ip, String(request.id))];
    }));
    instance.use('session', strategy(async (request) => {
      const token = request.cookies[SESSION_COOKIE] ?? '';
      const csrf = request.headers[CSRF_HEADER];
      return [await sessions.authenticate(token, { method: request.method, ip: request.ip, id: String(request.id), csrf: typeof csrf === 'string' ? csrf : undefined })];
    }));
    // LoginService puts the validated body (LoginDto) on the request before it asks for this strategy.
    instance.use('password', strategy(async (request) => {
      const { email, password, kind } = request.body as { email: string; password: string; kind?: 'staff' | 'mailbox' };
      const { person, account } = await credentials.check(email, password, kind);
      return [person ?? false, { account }];
    }));
    return instance;
  },
};
