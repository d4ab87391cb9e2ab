// The DataSource for the TypeORM CLI against a PostgreSQL server (DATABASE_URL). The app builds
// its own from the same options; `npm run migration:*` also handles the embedded database.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';

const { database } = loadConfig();
if (database.url === undefined) {
  throw new Error(
    'Set DATABASE_URL, or use `npm run migration:*`, which also serves the embedded database',
  );
}

export default new DataSource(dataSourceOptions({ url: database.url, embedded: false }));
