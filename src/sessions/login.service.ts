import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginMonitor } from '../activity/login-monitor.service.js';
import { AuditService } from '../audit/audit.service.js';
import { Authenticator } from '../auth/authenticator.service.js';
import { Problem } from '../common/problem.js';
import { CONFIG, type Config } from '../config/config.js';
import { OwnerMailboxesRepository } from '../owners/owner-mailboxes.repository.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { TotpService } from '../totp/totp.service.js';
import { userView } from '../users/user-roles.js';
import { UsersRepository } from '../users/users.repository.js';
import type { LoginCheck } from './login-credentials.service.js';
import type { LoginDto, LoginTotpDto } from './login.dto.js';
import { LoginChallenges } from './login-challenges.js';
import { LoginThrottle } from './login-throttle.js';
import { type Person, callerForPerson, monitoredLogin, parsePersonRef, personEmail, personId, personRef, resellerOf, totpSubjectOf } from './person.js';
import { setSessionCookie } from './session-tokens.js';
import { SessionsService } from './sessions.service.js';

// Dashboard logins are login events like IMAP's: the same rules, alerts and GET /v1/activity rows.
const WEB_PROTOCOL = 'web';
const INVALID_CREDENTIALS = 'The e-mail address or the password is not correct.';
const INVALID_SECOND_FACTOR = 'The code is not valid, or the login expired; log in again.';

@Injectable()
export class LoginService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly authenticator: Authenticator,
    private readonly throttle: LoginThrottle,
    private readonly challenges: LoginChallenges,
    private readonly sessions: SessionsService,
    private readonly monitor: LoginMonitor,
    private readonly audit: AuditService,
    private readonly totp: TotpService,
    private readonly users: UsersRepository,
    private readonly mailboxes: OwnerMailboxesRepository,
  ) {}

  async login(request: FastifyRequest, reply: FastifyReply, dto: LoginDto) {
    await this.throttle.assertAllowed(dto.email, request.ip);
    // The password strategy reads the body: the validated one (address trimmed and lower-cased).
    request.body = dto;
    const { user: person, info } = await this.authenticator.authenticate<Person>('password', request);
    if (!person) {
      await this.failed(request, dto.email, (info as Pick<LoginCheck, 'account'>).account, 'password');
      throw new Problem(401, 'invalid_credentials', INVALID_CREDENTIALS);
    }
    await this.throttle.succeeded(dto.email);
    if (await this.totp.isEnabled(totpSubjectOf(person))) {
      return { mfaRequired: true as const, challenge: await this.challenges.issue(personRef(person)) };
    }
    return this.open(request, reply, person);
  }

  /**
   * The TOTP step. A challenge is good for one attempt (it is consumed first), so guessing codes
   * needs the password each time; a code once accepted is refused for the rest of its window.
   */
  async secondFactor(request: FastifyRequest, reply: FastifyReply, dto: LoginTotpDto) {
    if ((dto.code === undefined) === (dto.recoveryCode === undefined)) {
      throw Problem.invalidField('code', 'code_or_recovery_code', 'Send either code or recoveryCode.');
    }
    const ref = parsePersonRef((await this.challenges.consume(dto.challenge)) ?? '');
    const person = ref && (await this.find(ref));
    if (!person) throw new Problem(401, 'invalid_second_factor', INVALID_SECOND_FACTOR);
    await this.throttle.assertAllowed(personEmail(person), request.ip);
    const subject = totpSubjectOf(person);
    const passed = dto.code !== undefined ? await this.totp.verify(subject, dto.code) : await this.totp.useRecoveryCode(subject, dto.recoveryCode!);
    if (!passed) {
      await this.failed(request, personEmail(person), person, dto.code !== undefined ? 'totp' : 'recovery_code');
      throw new Problem(401, 'invalid_second_factor', INVALID_SECOND_FACTOR);
    }
    return this.open(request, reply, person, dto.recoveryCode !== undefined ? 'recovery_code' : 'totp');
  }

  /** A new session for a person whose credentials were proven; the cookie is set on `reply`. */
  async open(request: FastifyRequest, reply: FastifyReply, person: Person, secondFactor?: 'totp' | 'recovery_code') {
    const started = await this.sessions.start(person, request.ip, request.headers['user-agent']);
    const kind = person.kind === 'user' ? 'user' : 'mailbox_owner';
    await this.prisma.$transaction((tx) =>
      this.audit.record(tx, callerForPerson(person, started.session.id, request.ip, String(request.id)), {
        action: `${kind}.login`, resellerId: resellerOf(person), target: { id: personId(person) },
        after: { sessionId: started.session.id, protocol: WEB_PROTOCOL, ...(secondFactor && { secondFactor }) },
      }));
    await this.report(request, monitoredLogin(person), 'success');
    setSessionCookie(reply, this.config, started.token);
    const common = { csrfToken: started.csrfToken, expiresAt: started.session.expiresAt };
    if (person.kind === 'mailbox') {
      return { kind: 'mailbox' as const, mailbox: { id: person.mailbox.id, address: person.mailbox.address }, ...common, mustChangePassword: false };
    }
    return {
      kind: 'user' as const, user: userView(person.user), ...common, mustChangePassword: person.user.mustChangePassword,
      // STAFF_TOTP_REQUIRED and no TOTP yet: this session may only enrol (POST /v1/me/mfa/totp).
      mfaEnrolmentRequired: this.config.STAFF_TOTP_REQUIRED && !(await this.totp.isEnabled(totpSubjectOf(person))),
    };
  }

  private find(ref: { kind: Person['kind']; id: string }): Promise<Person | null> {
    return ref.kind === 'user'
      ? this.users.findById(ref.id).then((user) => (user && !user.disabledAt ? { kind: 'user' as const, user } : null))
      : this.mailboxes.findById(ref.id).then((mailbox) => (mailbox?.enabled && !mailbox.loginLockedAt ? { kind: 'mailbox' as const, mailbox } : null));
  }

  private async failed(request: FastifyRequest, email: string, account: Person | null, step: 'password' | 'totp' | 'recovery_code'): Promise<void> {
    await this.throttle.failed(email, request.ip);
    // Only an existing account has a person to name as the actor; an unknown address is a login event alone.
    if (account) {
      const kind = account.kind === 'user' ? 'user' : 'mailbox_owner';
      await this.prisma.$transaction((tx) =>
        this.audit.record(tx, callerForPerson(account, null, request.ip, String(request.id)), {
          action: `${kind}.login_failed`, resellerId: resellerOf(account), target: { id: personId(account) },
          after: { protocol: WEB_PROTOCOL, step },
        }));
    }
    await this.report(request, account ? monitoredLogin(account) : email, 'failure');
  }

  private async report(request: FastifyRequest, login: string, outcome: 'success' | 'failure'): Promise<void> {
    await this.monitor.record({ login, remoteIp: request.ip, protocol: WEB_PROTOCOL, outcome, source: 'web', at: Date.now() });
  }
}
