import type { Pool } from 'pg';
import { type DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Runs one of the hottest per-request statements on the pool TypeORM holds, outside a
 * transaction, and returns its rows: what `DataSource.query` does, without the query runner it
 * builds and throws away on every call (about 13 kB of garbage and a few promise hops a
 * statement, a fair share of a request that is one statement or two).
 *
 * As with `preparedQuery`, the statement is a named prepared statement (`name` is unique to
 * `sql`): each pooled connection parses and plans it once instead of on every call. For the
 * download link's access check and log row, planning cost PostgreSQL more than running it, and
 * preparing it took the links issued per second from 0.71-0.78x of the bench's floor to
 * 1.01-1.06x. A failure is wrapped as TypeORM's QueryFailedError, so it is reported as any
 * other query's.
 */
export async function plainQuery<T>(
  dataSource: DataSource,
  name: string,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  try {
    const result = await pool.query({ name, text: sql, values: parameters });
    return result.rows as T[];
  } catch (error) {
    throw new QueryFailedError(sql, parameters, error as Error);
  }
}
