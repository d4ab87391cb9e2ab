// Database commands for both a PostgreSQL server (DATABASE_URL) and the embedded database:
//   node dist/scripts/db.js run | revert | show | generate <Name> | check
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ConfigError, loadDatabaseConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { EmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { waitForDatabase } from '../src/database/wait-for-database.js';

function migrationSource(className: string, up: string[], down: string[]): string {
  const lines = (queries: string[]) =>
    queries
      .map((q) => q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${'))
      .map((q) => `    await queryRunner.query(\`${q}\`);`)
      .join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}

async function main(): Promise<number> {
  const [command, name] = process.argv.slice(2);
  // Only DATABASE_URL (or DATA_DIR): a release step has no JWT secret or payment keys to give.
  const config = loadDatabaseConfig();
  if (config.url !== undefined) {
    await waitForDatabase(config.url, config.connectRetrySeconds, console);
  }
  const embedded =
    config.url === undefined
      ? await EmbeddedPostgres.start(join(config.dataDir, 'pgdata'))
      : undefined;
  const dataSource = new DataSource(
    dataSourceOptions({
      url: config.url ?? embedded!.url,
      embedded: embedded !== undefined,
      poolSize: 1,
    }),
  );
  await dataSource.initialize();
  try {
    switch (command) {
      case 'run': {
        const done = await dataSource.runMigrations({ transaction: 'each' });
        console.log(
          done.length ? done.map((m) => `applied ${m.name}`).join('\n') : 'nothing to apply',
        );
        return 0;
      }
      case 'revert':
        await dataSource.undoLastMigration({ transaction: 'each' });
        console.log('reverted the last migration');
        return 0;
      case 'show': {
        const pending = await dataSource.showMigrations();
        console.log(pending ? 'there are pending migrations' : 'all migrations are applied');
        return pending ? 1 : 0;
      }
      case 'generate':
      case 'check': {
        await dataSource.runMigrations({ transaction: 'each' });
        const sql = await dataSource.driver.createSchemaBuilder().log();
        const up = sql.upQueries.map((q) => q.query);
        const down = sql.downQueries.map((q) => q.query).reverse();
        if (command === 'check') {
          if (up.length === 0) {
            console.log('entities and migrations agree');
            return 0;
          }
          console.error('The entities differ from the migrations; a new migration would run:');
          up.forEach((q) => console.error(`  ${q}`));
          return 1;
        }
        if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
          console.error('usage: npm run migration:generate -- PascalCaseName');
          return 2;
        }
        if (up.length === 0) {
          console.log('no changes: nothing to generate');
          return 0;
        }
        const timestamp = Date.now();
        const file = join('migrations', `${timestamp}-${name}.ts`);
        writeFileSync(file, migrationSource(`${name}${timestamp}`, up, down));
        console.log(`wrote ${file}: add ${name}${timestamp} to migrations/index.ts`);
        return 0;
      }
      default:
        console.error('usage: db run | revert | show | generate <Name> | check');
        return 2;
    }
  } finally {
    await dataSource.destroy();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
