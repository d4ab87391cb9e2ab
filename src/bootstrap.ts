import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import type { AppConfig } from './config/app-config.js';

/** How Nest builds the app (also used by tests that override providers). */
export const APP_OPTIONS = { rawBody: true, bufferLogs: true, bodyParser: false } as const;

/** Creates the configured app (not yet listening): used by main.ts, the tests and the benchmarks. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    APP_OPTIONS,
  );
  return configureApp(app);
}
