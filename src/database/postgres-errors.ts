import { QueryFailedError } from 'typeorm';

interface PgError {
  code?: string;
  constraint?: string;
}

/** PostgreSQL's unique_violation (23505), optionally on one named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as PgError;
  return (
    driverError.code === '23505' &&
    (constraint === undefined || driverError.constraint === constraint)
  );
}

// SQLSTATE class 08 (connection exception) and the 57P0x shutdown codes a terminated backend sends.
const CONNECTION_SQLSTATES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
// Socket-level failures node-postgres passes through from net.
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// node-postgres reports a dropped or unobtainable connection with these messages and no code.
const CONNECTION_MESSAGES =
  /Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end/i;

/**
 * Whether an error means the database could not be reached or dropped the connection (as
 * opposed to a query it refused): the request may succeed once the pool has reconnected.
 */
export function isConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // TypeORM wraps the driver's error (driverError); a few layers also use `cause`.
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, message, severity } = current as {
      code?: unknown;
      message?: unknown;
      severity?: unknown;
    };
    // A FATAL error ends the session (e.g. "database is not currently accepting connections",
    // too many connections): the server, not the query, refused.
    if (severity === 'FATAL' || severity === 'PANIC') return true;
    if (typeof code === 'string' && (CONNECTION_SQLSTATES.has(code) || CONNECTION_ERRNOS.has(code)))
      return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return false;
}

/**
 * Text PostgreSQL cannot store (a NUL byte, invalid UTF-8: SQLSTATE 22021 / 22P05). It comes from
 * the request, so it is the client's error, whichever route let it through.
 */
export function isUnstorableText(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as PgError).code;
  return code === '22021' || code === '22P05';
}
