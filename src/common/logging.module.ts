import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, pino } from 'pino';
import { AppConfig } from '../config/app-config.js';

// Where an app's log lines go instead of stdout, keyed by the app's configuration object, so that
// createApp(config, { logDestination }) reaches the logger without a module parameter.
const destinations = new WeakMap<AppConfig, DestinationStream>();

export function setLogDestination(config: AppConfig, destination: DestinationStream): void {
  destinations.set(config, destination);
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Signed download tokens in paths are credentials: they never reach a log line. */
export function redactPath(url: string | undefined): string {
  const path = (url ?? '').split('?')[0];
  return path
    .replace(/^\/files\/[^/]+/, '/files/[redacted]')
    .replace(/^\/checkout\/simulated\/[^/]+/, '/checkout/simulated/[redacted]');
}

type RequestWithUser = IncomingMessage & { user?: { id: string }; id?: string };
type RawRequest = IncomingMessage & { id?: unknown; originalUrl?: string };

// pino-http logs each finished request at `info`. Above that level the line is never written, so
// its per-request work (listeners, bindings, building the line) is skipped altogether.
const LOGS_REQUESTS = new Set(['trace', 'debug', 'info']);
// Liveness probes come every few seconds and would log nothing: never a request logger.
const LIVENESS = [{ path: 'health', method: RequestMethod.GET }];
// The hottest public read, answered from a cache, logs nothing of its own: without request lines
// (above info) its request logger and the async context it opens would be pure cost.
const HOT_READS = [{ path: 'products', method: RequestMethod.GET }];
const unlogged = (config: AppConfig) =>
  LOGS_REQUESTS.has(config.logLevel) ? LIVENESS : [...LIVENESS, ...HOT_READS];

/** Request id from X-Request-Id when it is sane, else a new one; echoed in the response. */
export function requestIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void) {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (req as RequestWithUser).id = id;
  res.setHeader('X-Request-Id', id);
  next();
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const destination = destinations.get(config);
        const logRequests = LOGS_REQUESTS.has(config.logLevel);
        const options = {
          level: config.logLevel,
          transport:
            config.env === 'development' && destination === undefined
              ? {
                  target: 'pino-pretty',
                  options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' },
                }
              : undefined,
          // The id requestIdMiddleware gave the request (it runs first, on every route).
          genReqId: (req: IncomingMessage) => (req as RequestWithUser).id ?? randomUUID(),
          // Only what we choose is logged: no headers, bodies or query strings. Ours read the raw
          // objects, so pino-http's own serializers (which copy every header) never run.
          wrapSerializers: false,
          serializers: {
            req: (req: RawRequest) => ({
              id: req.id,
              method: req.method,
              path: redactPath(req.originalUrl ?? req.url),
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            err: pino.stdSerializers.err,
          },
          // Read when the request line is written (the caller is known by then); without request
          // lines it would only add work to every request.
          customProps: logRequests
            ? (req: IncomingMessage) => {
                const user = (req as RequestWithUser).user;
                return user ? { userId: user.id } : {};
              }
            : undefined,
          redact: {
            paths: [
              'req.headers.authorization',
              'req.headers.cookie',
              'req.headers["stripe-signature"]',
              '*.password',
              '*.access_token',
              '*.refresh_token',
              '*.token',
              '*.url',
            ],
            censor: '[redacted]',
          },
          autoLogging: logRequests,
        };
        return {
          pinoHttp: destination ? [options, destination] : options,
          // No request logger on liveness probes, nor on the cached catalogue when request lines
          // are off: the bench's health and catalogue scenarios measure what that saves.
          exclude: unlogged(config),
        };
      },
    }),
  ],
})
export class LoggingModule {}
