import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the database.
  app.enableShutdownHooks();
  await app.listen(config.port);
  console.log(
    `Creator Files API on ${config.publicUrl} (Swagger UI at ${config.publicUrl}/docs); ` +
      `database: ${config.database.url ? 'PostgreSQL server' : 'embedded'}, ` +
      `storage: ${config.storage.driver}, payments: ${config.payments.driver}`,
  );
}

void main();
