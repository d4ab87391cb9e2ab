import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import { createBootLogger } from './common/logging.module.js';
import { type AppConfig, ConfigError, loadConfig } from './config/app-config.js';
import { createApp } from './bootstrap.js';

/** Reports why the app cannot start, one JSON line per cause in production, and exits 1. */
function fail(logger: PinoLogger, error: unknown): never {
  if (error instanceof ConfigError) {
    error.problems.forEach((problem, i) =>
      logger.fatal({ variable: error.variables[i] }, `Invalid configuration: ${problem}`),
    );
  } else {
    logger.fatal({ err: error }, `The app did not start: ${(error as Error)?.message ?? error}`);
  }
  logger.flush();
  process.exit(1);
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    fail(createBootLogger(process.env.NODE_ENV?.trim(), process.env.LOG_LEVEL?.trim()), error);
  }
  const bootLogger = createBootLogger(config.env, config.logLevel, config);
  try {
    const app = await createApp(config);
    // SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the database.
    app.enableShutdownHooks();
    if (config.host === undefined) await app.listen(config.port);
    else await app.listen(config.port, config.host);
    // The last line of the start-up, through the app's logger (after everything it logged).
    new Logger('Bootstrap').log(
      `Creator Files API on ${config.publicUrl} (Swagger UI at ${config.publicUrl}/docs); ` +
        `listening on ${config.host ?? 'every interface'}, port ${config.port}; ` +
        `database: ${config.database.url ? 'PostgreSQL server' : 'embedded'}, ` +
        `storage: ${config.storage.driver}, payments: ${config.payments.driver}`,
    );
  } catch (error) {
    fail(bootLogger, error);
  }
}

void main();
