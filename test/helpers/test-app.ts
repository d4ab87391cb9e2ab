import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
import type { Agent as TestAgent } from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { configureApp } from '../../src/app.setup.js';
import { APP_OPTIONS, createApp, type CreateAppOptions } from '../../src/bootstrap.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';
import { watchResponses } from './openapi-validator.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  dataDir: string;
  baseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions extends CreateAppOptions {
  /**
   * Replaces providers of the real AppModule (e.g. a storage driver that fails), as
   * `Test.createTestingModule(...).overrideProvider(...)` does.
   */
  overrides?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** The real AppModule on a fresh database and a temporary data directory, listening on a free port. */
export async function createTestApp(
  env: Record<string, string> = {},
  database?: TestDatabase,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), 'creator-files-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    DB_POOL_SIZE: db.embedded ? '1' : '5',
    JWT_SECRET: randomBytes(32).toString('hex'),
    BCRYPT_COST: '4',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    DOWNLOAD_LINKS_PER_MINUTE: '100000',
    PAYMENT_REQUESTS_PER_MINUTE: '100000',
    UPLOADS_PER_HOUR: '100000',
    LOG_LEVEL: 'silent',
    // The outbox worker runs only where a test asks for it (or drives MailWorker.runOnce), so a
    // background delivery never changes rows between a test's snapshots.
    MAIL_WORKER: 'false',
    ...env,
  });
  if (options.overrides !== undefined && options.logDestination !== undefined) {
    throw new Error('createTestApp: logDestination needs the real AppModule (no overrides)');
  }
  const app =
    options.overrides === undefined
      ? await createApp(config, { logDestination: options.logDestination })
      : configureApp(
          (
            await options
              .overrides(Test.createTestingModule({ imports: [AppModule.forRoot(config)] }))
              .compile()
          ).createNestApplication<NestExpressApplication>(APP_OPTIONS),
        );
  // A free port unless PORT is given (pages that follow absolute links need PUBLIC_URL's port).
  await app.listen(env.PORT === undefined ? 0 : config.port, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  // Every answer, whoever asks (supertest, fetch, tus-js-client, a browser), meets openapi.json.
  watchResponses(app.getHttpServer());
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    dataSource: app.get(DataSource),
    database: db,
    dataDir,
    baseUrl,
    close: async () => {
      await app.close();
      if (database === undefined) await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
