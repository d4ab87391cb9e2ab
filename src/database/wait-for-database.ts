import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import pg from 'pg';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5_000;

/** A connection error's reason: `connect` to `localhost` fails with an AggregateError and no message. */
export function connectErrorReason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(connectErrorReason))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    if (error.message !== '') return error.message;
    if (code !== undefined) return code;
  }
  return String(error);
}

/**
 * Waits until the PostgreSQL server at `url` accepts a connection, so that an app started
 * together with its database (Compose, Kubernetes) does not exit because the server is a few
 * seconds late. Tries again with a doubling delay (0.5 s up to 5 s), logging every failed attempt,
 * for at most `retrySeconds`; then throws the last error. 0 tries once.
 */
export async function waitForDatabase(
  url: string,
  retrySeconds: number,
  logger: Pick<LoggerService, 'log' | 'warn' | 'error'>,
): Promise<void> {
  const deadline = Date.now() + retrySeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    // A server that goes away mid-handshake emits 'error' on the client as well as rejecting.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      if (attempt > 1) logger.log(`Database reachable after ${attempt} attempts`);
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1));
      const left = deadline - Date.now();
      if (left <= 0) {
        logger.error(
          `Database unreachable after ${attempt} attempt(s) in ${retrySeconds} s (DB_CONNECT_RETRY_SECONDS): ${connectErrorReason(error)}`,
        );
        throw error;
      }
      const wait = Math.min(delay, left);
      logger.warn(
        `Database unreachable (attempt ${attempt}): ${connectErrorReason(error)}; trying again in ${wait} ms`,
      );
      await sleep(wait);
    }
  }
}
