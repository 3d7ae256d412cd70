import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

// Who is making a request: the API key, its tenant (null = the platform itself, i.e. an admin),
// and what it may do. Built once per request by AccessGuard.
export interface Caller {
  keyId: string;
  resellerId: string | null;
  readOnly: boolean;
  scopes: string[];
  ip: string;
  requestId: string;
}

export const CurrentCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): Caller => context.switchToHttp().getRequest().user,
);
