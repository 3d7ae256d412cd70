import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The roles of people (issue 12); src/users/user-roles.ts maps each onto a Caller. */
export const USER_ROLES = ['platform-admin', 'platform-support', 'reseller-admin', 'reseller-viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The credential behind a request: an API key, or a person signed in with a session cookie. */
export type Principal =
  | { kind: 'apiKey'; id: string }
  | { kind: 'user'; id: string; email: string; role: UserRole; sessionId: string | null; mustChangePassword: boolean; mustEnrolMfa?: boolean }
  // A mailbox owner (issue 12, part C): id is the mailbox's; only the /v1/me routes let it in.
  | { kind: 'mailbox'; id: string; email: string; sessionId: string | null };

// Who is making a request: the API key or person, its tenant (null = the platform itself), and
// what it may do. Built once per request by AccessGuard, through the app's passport instance.
// A person's role becomes the same tenant, readOnly and scopes a key has, so every repository
// and every 404/403 rule applies to both alike.
export interface Caller {
  principal: Principal;
  resellerId: string | null;
  readOnly: boolean;
  scopes: string[];
  /** The key's own bounds, which every key it creates must stay within. */
  allowedIps: string[];
  expiresAt: Date | null;
  ip: string;
  requestId: string;
}

/**
 * The credential a request was made with, as `<kind>:<id>`: what is remembered per credential
 * (Idempotency-Key answers) never reaches another key of the same tenant. A person is
 * `user:<id>`, not the session, so that a retry after signing in again still finds its first answer.
 */
export function credentialOf(caller: Caller): string {
  const { kind, id } = caller.principal;
  return kind === 'user' ? `user:${id}` : kind === 'mailbox' ? `mailbox:${id}` : `api_key:${id}`;
}

export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller => context.switchToHttp().getRequest().user,
);
