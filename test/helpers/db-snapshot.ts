import type { DataSource } from 'typeorm';

/** Per table: its row count and a hash of every row, to tell whether a request wrote anything. */
export type TableSnapshot = Record<string, { rows: number; hash: string }>;

let tableNames: string[] | undefined;

/** Every table of the public schema, counted and hashed in one query. */
export async function snapshotTables(dataSource: DataSource): Promise<TableSnapshot> {
  tableNames ??= (
    await dataSource.query<{ name: string }[]>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )
  ).map((r) => r.name);
  const sql = tableNames
    .map(
      (name) =>
        `SELECT '${name}' AS name, count(*)::int AS rows,
                md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS hash
         FROM "${name}" x`,
    )
    .join(' UNION ALL ');
  const rows = await dataSource.query<{ name: string; rows: number; hash: string }[]>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, { rows: r.rows, hash: r.hash }]));
}
