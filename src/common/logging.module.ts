import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
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

type RequestWithUser = IncomingMessage & { user?: { id: string }; id?: unknown };

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const destination = destinations.get(config);
        const options = {
          level: config.logLevel,
          transport:
            config.env === 'development' && destination === undefined
              ? {
                  target: 'pino-pretty',
                  options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' },
                }
              : undefined,
          // Request id from X-Request-Id when it is sane, else a new one; echoed in the response.
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const given = req.headers['x-request-id'];
            const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
            res.setHeader('X-Request-Id', id);
            return id;
          },
          // Only what we choose is logged: no headers, bodies or query strings.
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              path: redactPath(req.url),
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          customProps: (req: IncomingMessage) => {
            const user = (req as RequestWithUser).user;
            return user ? { userId: user.id } : {};
          },
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
          autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
        };
        return { pinoHttp: destination ? [options, destination] : options };
      },
    }),
  ],
})
export class LoggingModule {}
