import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

// Who is making a request: the API key, its tenant (null = the platform itself, i.e. an admin),
// and what it may do. Built once per request by AccessGuard.
export interface Caller {
  keyId: string;
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
 * (Idempotency-Key answers) never reaches another key of the same tenant. A person's login would
 * be `user:<id>`, so that a retry after signing in again still finds its first answer.
 */
export function credentialOf(caller: Caller): string {
  return `api_key:${caller.keyId}`;
}

export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller => context.switchToHttp().getRequest().user,
);
