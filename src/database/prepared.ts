import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { type EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs one of the app's hottest statements as a named prepared statement on the connection of
 * `m`'s transaction: PostgreSQL parses and plans it once per connection instead of on every
 * call (for the statements of a payment, planning cost the database more than running them).
 * `name` is unique to `text`. Errors are TypeORM's QueryFailedError, as from `m.query`.
 * A pooler in front of PostgreSQL must then keep prepared statements per server connection
 * (PgBouncer 1.21+ with max_prepared_statements, or session pooling).
 */
export async function preparedQuery<T extends QueryResultRow>(
  m: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<QueryResult<T>> {
  // A manager outside a transaction has no connection of its own: borrow one for the call.
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    return await client.query<T>({ name, text, values }).catch((error: Error) => {
      throw new QueryFailedError(text, values, error);
    });
  } finally {
    if (runner !== m.queryRunner) await runner.release();
  }
}
