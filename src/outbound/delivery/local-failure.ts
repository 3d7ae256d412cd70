import { Prisma } from '../../generated/prisma/client.js';
import type { AttemptResult } from './smtp-outcome.js';

// A fault of our own while delivering (a DKIM key that cannot be unsealed, a signing or DNS
// library exception) fails the same way at every retry BullMQ would make at once. Postfix's
// answer is a local deferral: the recipients are deferred, the queue's retry schedule applies,
// and the message bounces at its lifetime. Only a failure of PostgreSQL itself, where nothing can
// be recorded, is left to BullMQ's quick retries (Redis is used only around the try, by the
// processor, whose errors reach BullMQ as they are); so is any error the deferral cannot record.

export const LOCAL_ERROR_CODE = 'ELOCAL';
// RFC 3463 §3.4: X.3.0, other or undefined mail system status.
const LOCAL_STATUS = '4.3.0';
// The error's message only (never its stack): it is shown in the API and in the sender's DSN.
const MAX_RESPONSE_CHARS = 300;

// Prisma's codes for "the database cannot be used right now": P1xxx are connection and server
// errors (P1001 unreachable, P1017 connection closed…); P2024 is a connection pool timeout,
// P2028 a transaction that the server ended, P2034 a write conflict or deadlock worth retrying.
const INFRASTRUCTURE_PRISMA_CODES = new Set(['P2024', 'P2028', 'P2034', 'P2037']);
// The same through the pg driver adapter, which names the failure in meta.driverAdapterError.
const INFRASTRUCTURE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable', 'DatabaseDoesNotExist', 'DatabaseAccessDenied', 'AuthenticationFailed', 'ConnectionClosed',
  'TlsConnectionError', 'TooManyConnections', 'SocketTimeout', 'TransactionAlreadyClosed', 'TransactionWriteConflict',
]);

/** PostgreSQL itself failed: the try can be neither recorded nor judged. */
export function isInfrastructureFailure(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError || error instanceof Prisma.PrismaClientRustPanicError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const kind = (error.meta?.driverAdapterError as { cause?: { kind?: string } } | undefined)?.cause?.kind;
    return error.code.startsWith('P1') || INFRASTRUCTURE_PRISMA_CODES.has(error.code) || INFRASTRUCTURE_ADAPTER_KINDS.has(kind ?? '');
  }
  return false;
}

/** The attempt recorded for every pending recipient after a local error. */
export function localDeferral(error: unknown): AttemptResult {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim() || 'unknown error';
  const response = `local error, will retry: ${text}`.slice(0, MAX_RESPONSE_CHARS);
  return { outcome: 'deferred', code: null, enhanced: LOCAL_STATUS, response, errorCode: LOCAL_ERROR_CODE };
}
