import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { type EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * Runs one of the app's hottest statements as a named prepared statement (`name` is unique to
 * `text`): PostgreSQL parses and plans it once per connection instead of on every call. For the
 * statements of a payment, and for the download link's access check and log row, planning cost
 * the database more than running them; preparing the link's took the links issued per second
 * from 0.71-0.78x of the bench's floor to 1.01-1.06x.
 *
 * In `m`'s transaction it runs on that transaction's connection. Outside one (`dataSource.manager`)
 * it runs straight on the pool TypeORM holds, without the query runner `m.query` would build and
 * throw away (about 13 kB of garbage and a few promise hops a statement, a fair share of a
 * request that is one statement or two). Errors are TypeORM's QueryFailedError, as from
 * `m.query`, so they are reported as any other query's.
 *
 * A pooler in front of PostgreSQL must then keep prepared statements per server connection
 * (PgBouncer 1.21+ with max_prepared_statements, or session pooling).
 */
export async function preparedQuery<T extends QueryResultRow>(
  m: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<QueryResult<T>> {
  const client: Pool | PoolClient = m.queryRunner
    ? ((await m.queryRunner.connect()) as PoolClient)
    : ((m.connection.driver as PostgresDriver).master as Pool);
  try {
    return await client.query<T>({ name, text, values });
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}
