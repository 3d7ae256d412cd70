import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppPasswordsRepository } from '../app-passwords/app-passwords.repository.js';
import { timingSafeEqual, createHash } from 'node:crypto';
import { CONFIG, type Config } from '../config/config.js';
import { Problem } from '../common/problem.js';
import { authPolicyClientSettings } from './auth-policy-settings.js';
import { type AuthPolicyRequest, normalizeLogin } from './auth-policy.dto.js';
import { LoginCounters } from './login-counters.js';
import { LoginMonitor } from './login-monitor.service.js';
import { ACCEPT, type PolicyAnswer, REJECTED_MESSAGE, policyAnswer } from './login-policy.js';

/** Dovecot's authentication-policy protocol: `allow` answers from Redis alone, `report` feeds the rules. */
@Injectable()
export class AuthPolicyService {
  private readonly logger = new Logger(AuthPolicyService.name);
  private readonly secretDigest: Buffer;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly counters: LoginCounters,
    private readonly monitor: LoginMonitor,
    private readonly appPasswords: AppPasswordsRepository,
  ) {
    this.secretDigest = digest(authPolicyClientSettings(config).secret);
  }

  /** Compares digests, so neither the length nor a prefix of the secret leaks through timing. */
  authenticate(header: string | string[] | undefined): void {
    const presented = typeof header === 'string' ? header.trim() : '';
    if (!presented || !timingSafeEqual(digest(presented), this.secretDigest)) {
      throw new Problem(401, 'invalid_auth_policy_secret', 'Send the shared secret in the X-Postmaster-Auth-Policy header.');
    }
  }

  /**
   * Before (and after) authentication. Never waits on PostgreSQL; when Redis does not answer in
   * time the login goes through (or is refused with AUTH_POLICY_FAIL_CLOSED) and a warning is logged.
   */
  async allow(request: AuthPolicyRequest): Promise<PolicyAnswer> {
    const login = normalizeLogin(request.login);
    try {
      const blocks = await this.withinTimeout(() => this.counters.blocks(request.remote, login));
      return policyAnswer(blocks);
    } catch (error) {
      const failClosed = this.config.AUTH_POLICY_FAIL_CLOSED;
      this.logger.warn({ err: error, login, remoteIp: request.remote }, `auth-policy: Redis unavailable, failing ${failClosed ? 'closed' : 'open'}`);
      return failClosed ? { status: -1, msg: REJECTED_MESSAGE } : ACCEPT;
    }
  }

  /** After authentication: the outcome counts towards the rules. Dovecot ignores the answer. */
  async report(request: AuthPolicyRequest): Promise<PolicyAnswer> {
    const outcome = request.success ? 'success' : request.policy_reject ? 'rejected' : 'failure';
    try {
      await this.monitor.record({
        login: normalizeLogin(request.login), remoteIp: request.remote, protocol: request.protocol,
        outcome, source: 'dovecot', at: Date.now(),
      });
    } catch (error) {
      this.logger.warn({ err: error, login: request.login, remoteIp: request.remote, outcome }, 'auth-policy: report not recorded (Redis unavailable)');
    }
    if (request.success && UUID.test(request.app_password_id ?? '')) this.appPasswordUsed(request.app_password_id!);
    return ACCEPT;
  }

  /** After the answer, like the monitoring's PostgreSQL work: the hook never waits on the database. */
  private appPasswordUsed(id: string): void {
    setImmediate(() => {
      this.appPasswords.markUsed(id, new Date()).catch((error: unknown) =>
        this.logger.warn({ err: error, appPasswordId: id }, 'auth-policy: app password lastUsedAt not recorded'));
    });
  }

  private withinTimeout<T>(command: () => Promise<T>): Promise<T> {
    // ioredis queues commands while disconnected: do not wait for a reconnect that may never come.
    // Nor send the command then: its own rejection, later, would be unhandled and end the process.
    if (!this.counters.available) return Promise.reject(new Error('Redis connection is not ready'));
    const promise = command();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.config.AUTH_POLICY_REDIS_TIMEOUT_MS} ms`)), this.config.AUTH_POLICY_REDIS_TIMEOUT_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
