import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import type { DestinationStream } from 'pino';
import { AppLogger, createBootLogger, setLogDestination } from './common/logging.module.js';
import type { AppConfig } from './config/app-config.js';
import { assertDataDirWritable } from './config/data-dir.js';

/**
 * How Nest builds the app (also used by tests that override providers). A failure while the app
 * is built is thrown to the caller (abortOnError: false), which reports it and exits, instead of
 * Nest's default of process.abort(). The body parsers are registered by configureApp, which
 * keeps each raw body itself (Nest's `rawBody: true` would replace the parsers' `verify`, where
 * the body's shape is checked).
 */
export const APP_OPTIONS = {
  bufferLogs: true,
  bodyParser: false,
  abortOnError: false,
} as const;

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
  assertDataDirWritable(config);
  // Until configureApp hands over to the app's logger, Nest logs through one with the same
  // destination and format, line by line (not buffered: a database that is slow to answer at
  // boot is reported attempt by attempt).
  const bootLogger = AppLogger.overPino(createBootLogger(config.env, config.logLevel, config));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    ...APP_OPTIONS,
    bufferLogs: false,
    logger: bootLogger,
  });
  return configureApp(app);
}
