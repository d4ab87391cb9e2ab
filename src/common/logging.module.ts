import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { type LoggerService, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import { AppConfig } from '../config/app-config.js';

// Where an app's log lines go instead of stdout, keyed by the app's configuration object, so that
// createApp(config, { logDestination }) reaches the logger without a module parameter.
const destinations = new WeakMap<AppConfig, DestinationStream>();

export function setLogDestination(config: AppConfig, destination: DestinationStream): void {
  destinations.set(config, destination);
}

let prettyStream: DestinationStream | null | undefined;

/**
 * Coloured one-line logs for a person at a terminal, in development only, and only where
 * pino-pretty is installed (a dev dependency: an image built with --omit=dev has none). It is
 * a synchronous stream in this thread, shared by every logger of the process, so that lines come
 * out in the order they were logged (the start-up banner last).
 */
function developmentStream(): DestinationStream | undefined {
  if (prettyStream === undefined) {
    try {
      const require = createRequire(import.meta.url);
      const pretty = require('pino-pretty') as (options: object) => DestinationStream;
      prettyStream = pretty({ singleLine: true, translateTime: 'SYS:HH:MM:ss', sync: true });
    } catch {
      prettyStream = null;
    }
  }
  return prettyStream ?? undefined;
}

let stdoutStream: DestinationStream | undefined;

/**
 * Where log lines go: the test's destination, the pretty stream in development, else stdout as
 * JSON, through one stream for the whole process (pino's default, asynchronous, but shared, so
 * the boot logger's lines and the app's come out in order and are flushed together).
 */
export function logDestination(env: string | undefined, config?: AppConfig): DestinationStream {
  const given = config === undefined ? undefined : destinations.get(config);
  if (given !== undefined) return given;
  const pretty = env === 'development' || env === undefined ? developmentStream() : undefined;
  stdoutStream ??= pino.destination({ dest: 1, minLength: 0, sync: false });
  return pretty ?? stdoutStream;
}

/**
 * The logger for what happens before the app's own logger exists and when the app cannot start
 * (configuration errors, an unwritable data directory, a database that does not answer): the same
 * destination and format as the app's, so in production every line is JSON from the first one.
 * `env` and `level` are the raw NODE_ENV and LOG_LEVEL when the configuration could not be read.
 */
export function createBootLogger(
  env: string | undefined,
  level: string | undefined,
  config?: AppConfig,
): PinoLogger {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  const chosen = level !== undefined && levels.includes(level) ? level : 'info';
  const options = { level: chosen, serializers: { err: pino.stdSerializers.err } };
  return pino(options, logDestination(env, config));
}

// Nest's own start-up chatter: a line per module and per route (about 70), which would push the
// banner off the screen. It stays available at LOG_LEVEL=debug.
const CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

type LogMethod = (message: unknown, ...optionalParams: unknown[]) => void;

/** Nest's LoggerService over a logger that speaks Nest (nestjs-pino) or over pino itself. */
export class AppLogger implements LoggerService {
  private constructor(private readonly write: (level: string, args: unknown[]) => void) {}

  /** Wraps nestjs-pino's Logger (context as the last parameter), demoting Nest's chatter. */
  static over(nest: LoggerService): AppLogger {
    return new AppLogger((level, args) => {
      const method = (nest as unknown as Record<string, LogMethod | undefined>)[level];
      method?.apply(nest, args as [unknown, ...unknown[]]);
    });
  }

  /** Writes to a pino logger: `{ context, err? }` and the message. */
  static overPino(logger: PinoLogger): AppLogger {
    const pinoLevel: Record<string, string> = { log: 'info', verbose: 'trace' };
    return new AppLogger((level, args) => {
      const [message, ...rest] = args;
      const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
      const fields: Record<string, unknown> = context === undefined ? {} : { context };
      let text: unknown = message;
      if (message instanceof Error) {
        fields.err = message;
        text = message.message;
      } else if (typeof rest[0] === 'string' && level === 'error') {
        // Nest's exception handlers pass (message, stack).
        fields.err = { message: String(message), stack: rest[0] };
      }
      const method = (pinoLevel[level] ?? level) as 'info';
      logger[method](fields, typeof text === 'string' ? text : JSON.stringify(text));
    });
  }

  private call(level: string, message: unknown, params: unknown[]): void {
    const context = params.at(-1);
    const demoted = level === 'log' && typeof context === 'string' && CHATTER.has(context);
    this.write(demoted ? 'debug' : level, [message, ...params]);
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.call('log', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.call('error', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.call('warn', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.call('debug', message, optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.call('verbose', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.call('fatal', message, optionalParams);
  }
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
export function assignRequestId(req: IncomingMessage, res: ServerResponse): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (req as RequestWithUser).id = id;
  res.setHeader('X-Request-Id', id);
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const destination = logDestination(config.env, config);
        const logRequests = LOGS_REQUESTS.has(config.logLevel);
        const options = {
          level: config.logLevel,
          // The id assignRequestId gave the request (it runs first, on every route).
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
          pinoHttp: [options, destination],
          // No request logger on liveness probes, nor on the cached catalogue when request lines
          // are off: the bench's health and catalogue scenarios measure what that saves.
          exclude: unlogged(config),
        };
      },
    }),
  ],
})
export class LoggingModule {}
