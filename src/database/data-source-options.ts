import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

export interface DataSourceSettings {
  url: string;
  embedded: boolean;
  migrationsRun?: boolean;
  poolSize?: number;
}

/** The one description of the database, shared by the app, the tests and the migration CLI. */
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: settings.migrationsRun ?? false,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; nothing to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // The embedded database is a single session: one connection, or queries interleave.
    poolSize: settings.embedded ? 1 : (settings.poolSize ?? 10),
    connectTimeoutMS: 10_000,
    extra: { connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 },
  };
}
