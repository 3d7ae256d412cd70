import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../auth/caller.js';
import { Problem } from '../common/problem.js';
import { CONFIG, type Config } from '../config/config.js';
import type { Session } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { type Person, callerForPerson, personId } from './person.js';
import { csrfTokenFor, csrfTokenMatches, hashToken, newSessionToken } from './session-tokens.js';
import { SessionsRepository } from './sessions.repository.js';
import { USER_MFA, type UserMfa } from './user-mfa.js';

// lastSeenAt is written at most this often (and at least four times per idle timeout), so that a
// busy dashboard does not write a row per request.
const TOUCH_RESOLUTION_MS = 10_000;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface StartedSession {
  session: Session;
  token: string;
  csrfToken: string;
}

function sessionView(session: Session, current: string) {
  return {
    id: session.id, current: session.id === current, ip: session.ip, userAgent: session.userAgent,
    createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, expiresAt: session.expiresAt,
  };
}

@Injectable()
export class SessionsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditService,
    @Inject(USER_MFA) private readonly mfa: UserMfa,
  ) {}

  /** Always a new id (no fixation): whatever cookie came with the login is never reused. */
  async start(person: Person, ip: string, userAgent: string | undefined): Promise<StartedSession> {
    const { token, tokenHash } = newSessionToken();
    const expiresAt = new Date(Date.now() + this.config.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000);
    const session = await this.sessions.create({ tokenHash, owner: { kind: person.kind, id: personId(person) }, ip, userAgent: userAgent?.slice(0, 500) ?? null, expiresAt });
    return { session, token, csrfToken: csrfTokenFor(this.config, token) };
  }

  /** The caller for a session cookie; unsafe methods also need the session's CSRF token. */
  async authenticate(token: string, request: { method: string; ip: string; id: string; csrf?: string }): Promise<Caller> {
    const found = await this.sessions.findByTokenHash(hashToken(token));
    if (!found) throw new Problem(401, 'session_invalid', 'The session has ended or never existed; log in again.');
    const now = Date.now();
    const idleMs = this.config.SESSION_IDLE_TIMEOUT_SECONDS * 1000;
    if (found.expiresAt.getTime() <= now || now - found.lastSeenAt.getTime() >= idleMs) {
      await this.sessions.deleteById(found.id);
      throw new Problem(401, 'session_expired', 'The session has expired; log in again.');
    }
    const { person } = found;
    // A disabled account or mailbox, or a mailbox the monitoring locked, ends its sessions' use at once.
    const ended = person.kind === 'user' ? person.user.disabledAt !== null : !person.mailbox.enabled || person.mailbox.loginLockedAt !== null;
    if (ended) throw new Problem(401, 'session_invalid', 'The session has ended or never existed; log in again.');
    if (!READ_METHODS.has(request.method) && !csrfTokenMatches(this.config, token, request.csrf)) {
      throw Problem.forbidden('csrf_token_invalid', 'Send the X-CSRF-Token header from the login answer or GET /v1/auth/csrf.');
    }
    if (now - found.lastSeenAt.getTime() >= Math.min(TOUCH_RESOLUTION_MS, idleMs / 4)) await this.sessions.touch(found.id, new Date(now));
    // STAFF_TOTP_REQUIRED: until the person has TOTP on, AccessGuard lets the session only enrol.
    const mustEnrol = person.kind === 'user' && this.config.STAFF_TOTP_REQUIRED && !(await this.mfa.isEnrolled(person.user));
    return callerForPerson(person, found.id, request.ip, request.id, mustEnrol);
  }

  csrfToken(token: string): string {
    return csrfTokenFor(this.config, token);
  }

  async list(caller: Caller) {
    const { kind, id, sessionId } = this.person(caller);
    return { items: (await this.sessions.listFor({ kind, id })).map((s) => sessionView(s, sessionId)) };
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    const person = this.person(caller);
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.sessions.deleteOwn(tx, person, id))) throw Problem.notFound('session');
      await this.audit.record(tx, caller, { action: 'session.revoke', resellerId: caller.resellerId, target: { id } });
    });
  }

  async logout(caller: Caller): Promise<void> {
    const person = this.person(caller);
    await this.prisma.$transaction(async (tx) => {
      await this.sessions.deleteOwn(tx, person, person.sessionId);
      await this.audit.record(tx, caller, { action: 'user.logout', resellerId: caller.resellerId, target: { id: person.id } });
    });
  }

  /** Password changed, user disabled or reset: every session of the user ends, in the same transaction. */
  endAll(tx: Tx, userId: string): Promise<number> {
    return this.sessions.deleteAllFor(tx, { kind: 'user', id: userId });
  }

  /** The mailbox password changed (by its owner or an administrator): its owner's sessions end. */
  endAllForMailbox(tx: Tx, mailboxId: string): Promise<number> {
    return this.sessions.deleteAllFor(tx, { kind: 'mailbox', id: mailboxId });
  }

  private person(caller: Caller) {
    const principal = caller.principal;
    if (principal.kind === 'apiKey' || principal.sessionId === null) {
      throw Problem.forbidden('session_required', 'Only a person logged in with a session has sessions.');
    }
    return { ...principal, sessionId: principal.sessionId };
  }
}
