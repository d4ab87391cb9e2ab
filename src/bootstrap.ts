import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import type { DestinationStream } from 'pino';
import { setLogDestination } from './common/logging.module.js';
import type { AppConfig } from './config/app-config.js';

/**
 * How Nest builds the app (also used by tests that override providers). The body parsers are
 * registered by configureApp, which keeps each raw body itself (Nest's `rawBody: true` would
 * replace the parsers' `verify`, where the body's shape is checked).
 */
export const APP_OPTIONS = { bufferLogs: true, bodyParser: false } as const;

export interface CreateAppOptions {
  /** Where log lines go instead of stdout (tests read them from here). */
  logDestination?: DestinationStream;
}

/** Creates the configured app (not yet listening): used by main.ts, the tests and the benchmarks. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  if (options.logDestination) setLogDestination(config, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    APP_OPTIONS,
  );
  const server = app.getHttpServer();
  // Node's default of 300 s would cut off large uploads on slow links; one hour is the cap.
  server.requestTimeout = 60 * 60 * 1000;
  // Longer than the usual load balancer idle timeout (60 s), so the balancer closes first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return configureApp(app);
}
