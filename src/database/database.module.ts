import { join } from 'node:path';
import { DynamicModule, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { waitForDatabase } from './wait-for-database.js';

/** Starts the embedded PostgreSQL when no DATABASE_URL is set, and stops it last. */
@Injectable()
export class EmbeddedDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedDatabase.name);
  private instance?: EmbeddedPostgres;

  constructor(private readonly moduleRef: ModuleRef) {}

  async start(dataDir: string): Promise<string> {
    const started = Date.now();
    this.instance = await EmbeddedPostgres.start(dataDir);
    this.logger.log(`Embedded PostgreSQL ready in ${Date.now() - started} ms (data in ${dataDir})`);
    return this.instance.url;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.instance === undefined) return;
    // The pool must close before the database it talks to.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.instance.stop();
    this.instance = undefined;
  }
}

@Module({ providers: [EmbeddedDatabase], exports: [EmbeddedDatabase] })
class EmbeddedDatabaseModule {}

const logger = new Logger('Database');

@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [EmbeddedDatabaseModule],
          inject: [AppConfig, EmbeddedDatabase],
          useFactory: async (config: AppConfig, embedded: EmbeddedDatabase) => {
            const server = config.database.url;
            if (server !== undefined) {
              await waitForDatabase(server, config.database.connectRetrySeconds, logger);
            }
            const url = server ?? (await embedded.start(join(config.dataDir, 'pgdata')));
            return {
              ...dataSourceOptions({
                url,
                embedded: config.database.url === undefined,
                migrationsRun: config.database.migrationsRun,
                poolSize: config.database.poolSize,
              }),
              // waitForDatabase has waited for the server; a failure now (a migration, say) is
              // not one that trying again fixes, and is reported once, by the caller.
              retryAttempts: 0,
              toRetry: () => false,
            };
          },
        }),
      ],
    };
  }
}
