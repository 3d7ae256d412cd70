import type { Caller } from '../auth/caller.js';
import type { User } from '../generated/prisma/client.js';
import type { TotpSubject } from '../totp/totp-subject.js';
import { callerForUser } from '../users/user-roles.js';

/** A mailbox as its owner logs in with it (issue 12, item 3): the address is the login. */
export interface OwnerMailbox {
  id: string;
  address: string;
  passwordHash: string;
  enabled: boolean;
  loginLockedAt: Date | null;
  requireAppPasswords: boolean;
  /** The tenant of the mailbox's domain; null for the platform's own domains. */
  resellerId: string | null;
}

/** Who logs in to the dashboard: a staff user, or the owner of one mailbox. */
export type Person = { kind: 'user'; user: User } | { kind: 'mailbox'; mailbox: OwnerMailbox };

// Staff logins are judged and stored under this prefix, so that a staff address that is also a
// mailbox address never counts against that mailbox (its failure windows, locks, GET /v1/activity).
export const STAFF_LOGIN_PREFIX = 'staff:';

export function personId(person: Person): string {
  return person.kind === 'user' ? person.user.id : person.mailbox.id;
}

export function personEmail(person: Person): string {
  return person.kind === 'user' ? person.user.email : person.mailbox.address;
}

/** The login under which the monitoring counts this person's dashboard logins. */
export function monitoredLogin(person: Person): string {
  return person.kind === 'user' ? STAFF_LOGIN_PREFIX + person.user.email : person.mailbox.address;
}

export function resellerOf(person: Person): string | null {
  return person.kind === 'user' ? person.user.resellerId : person.mailbox.resellerId;
}

/** What a login challenge names (LoginChallenges): `user:<id>` or `mailbox:<id>`. */
export function personRef(person: Person): string {
  return `${person.kind}:${personId(person)}`;
}

export function parsePersonRef(ref: string): { kind: Person['kind']; id: string } | null {
  const match = /^(user|mailbox):([0-9a-f-]{36})$/.exec(ref);
  return match ? { kind: match[1] as Person['kind'], id: match[2]! } : null;
}

export function totpSubjectOf(person: Person): TotpSubject {
  return { kind: person.kind, id: personId(person), resellerId: resellerOf(person), accountName: personEmail(person) };
}

/**
 * A mailbox owner acts with the tenant of its mailbox, but AccessGuard lets it through only the
 * routes marked @MailboxOwnerRoute (its own /v1/me…); everything else answers 404 to it.
 */
export function callerForPerson(person: Person, sessionId: string | null, ip: string, requestId: string, mustEnrolMfa = false): Caller {
  if (person.kind === 'user') {
    const caller = callerForUser(person.user, sessionId, ip, requestId);
    if (mustEnrolMfa && caller.principal.kind === 'user') caller.principal.mustEnrolMfa = true;
    return caller;
  }
  const { mailbox } = person;
  return {
    principal: { kind: 'mailbox', id: mailbox.id, email: mailbox.address, sessionId },
    resellerId: mailbox.resellerId, readOnly: false, scopes: [], allowedIps: [], expiresAt: null, ip, requestId,
  };
}
