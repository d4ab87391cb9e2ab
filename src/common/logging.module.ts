import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import { AppConfig } from '../config/app-config.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Signed download tokens in paths are credentials: they never reach a log line. */
export function redactPath(url: string | undefined): string {
  const path = (url ?? '').split('?')[0];
  return path
    .replace(/^\/files\/[^/]+/, '/files/[redacted]')
    .replace(/^\/checkout\/simulated\/[^/]+/, '/checkout/simulated/[redacted]');
}

type RequestWithUser = IncomingMessage & { user?: { id: string }; id?: unknown };
type RawRequest = IncomingMessage & { id?: unknown; originalUrl?: string };

// Liveness probes come every few seconds and would log nothing: never a request logger.
const LIVENESS = [{ path: 'health', method: RequestMethod.GET }];
// The hottest public read, answered from a cache, logs nothing of its own: without request lines
// (above info) its request logger and the async context it opens would be pure cost.
const HOT_READS = [{ path: 'products', method: RequestMethod.GET }];

/** The request id from X-Request-Id when it is sane, else a new one; echoed in the response. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

// pino-http logs each finished request at `info`. Above that level the line is never written, so
// its per-request work (listeners, bindings, building the line) is skipped altogether.
const LOGS_REQUESTS = new Set(['trace', 'debug', 'info']);
const unlogged = (config: AppConfig) =>
  LOGS_REQUESTS.has(config.logLevel) ? LIVENESS : [...LIVENESS, ...HOT_READS];

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const logRequests = LOGS_REQUESTS.has(config.logLevel);
        return {
          pinoHttp: {
            level: config.logLevel,
            transport:
              config.env === 'development'
                ? {
                    target: 'pino-pretty',
                    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' },
                  }
                : undefined,
            genReqId: requestId,
            // Only what we choose is logged: no headers, bodies or query strings. Ours read the
            // raw objects, so pino-http's own serializers (which copy every header) never run.
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
            // lines it would only add a child logger per request, before any guard has run.
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
                '*.url',
              ],
              censor: '[redacted]',
            },
            autoLogging: logRequests,
          },
          exclude: unlogged(config),
        };
      },
    }),
  ],
})
export class LoggingModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // Routes without a request logger still get their id (X-Request-Id, and req.id for the
    // error filter's lines), like every other answer.
    consumer
      .apply((req: RawRequest, res: ServerResponse, next: () => void) => {
        req.id = requestId(req, res);
        next();
      })
      .forRoutes(...unlogged(this.config));
  }
}
