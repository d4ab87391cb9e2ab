import type { Pool } from 'pg';
import { type DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Runs one parameterized statement on the pool TypeORM holds, outside a transaction, and
 * returns its rows: what `DataSource.query` does, without the query runner it builds and throws
 * away on every call (about 13 kB of garbage and a few promise hops a statement, a fair share of
 * a request that is one statement or two). For the hottest per-request statements only. A
 * failure is wrapped as TypeORM's QueryFailedError, so it is reported as any other query's.
 */
export async function plainQuery<T>(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  try {
    const result = await pool.query(sql, parameters);
    return result.rows as T[];
  } catch (error) {
    throw new QueryFailedError(sql, parameters, error as Error);
  }
}
