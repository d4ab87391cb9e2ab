import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response, Router, urlencoded } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { MAX_BODY_VALUES, verifyForm, verifyJson } from './common/body-shape.js';
import { applyServerTimeouts, bodyTimeout, hasBody } from './common/request-timeouts.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { applyFixedHeaders, recordFixedHeaders } from './common/fixed-headers.js';
import { AppLogger, assignRequestId } from './common/logging.module.js';
import { createValidationPipe } from './common/pipes/validation.js';
import { AppConfig } from './config/app-config.js';
import { setupSwagger } from './swagger.js';
import { serveWebApp } from './web/web-app.js';

export const JSON_BODY_LIMIT = '100kb';

/** The paths of the storefront (/app, /) and of Swagger UI (/docs, /docs-json, /docs-yaml). */
const PAGE_PATHS = /^\/(?:$|[?#]|app(?:$|[/?#])|docs(?:$|[-/?#]))/i;

/**
 * The content security policy: what Swagger UI at /docs needs (its scripts are files served by
 * the app; its styles are partly inline, in <style> blocks and style attributes; its icons are
 * data: URIs), which also covers the storefront at /app/ (script and style files of its own
 * origin, fetch and XHR to the API on the same origin), and nothing from another origin. JSON answers are not affected by it.
 * Forms may also lead to the CORS_ORIGINS: a page of the app that posts a form and redirects to
 * a storefront (the simulated checkout's success URL) is otherwise blocked by browsers, which
 * apply form-action to the redirect too.
 */
export function contentSecurityPolicy(config: AppConfig): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'base-uri': ["'self'"],
    // The storefront sends resumable uploads straight to Supabase Storage when it is the driver.
    'connect-src': [
      "'self'",
      ...(config.storage.supabase ? [new URL(config.storage.supabase.url).origin] : []),
    ],
    'font-src': ["'self'"],
    'form-action': ["'self'", ...config.corsOrigins],
    'frame-ancestors': ["'none'"],
    'img-src': ["'self'", 'data:'],
    'object-src': ["'none'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", "'unsafe-inline'"],
  };
}

/** Everything main.ts does to the app besides listening, so tests run the same app. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  applyServerTimeouts(app.getHttpServer(), config);
  app.useLogger(AppLogger.over(app.get(Logger)));
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  const securityHeaders = recordFixedHeaders(
    helmet({
      // Replaces helmet's defaults; upgrade-insecure-requests is left out on purpose, since it
      // breaks /docs on a plain-HTTP address other than localhost (a LAN IP, a container).
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(config) },
      // Signed file links may be embedded by a storefront on another origin (<audio>, <img>),
      // as Supabase's links can be; JSON answers need a bearer token, so embedding reveals nothing.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      xFrameOptions: { action: 'deny' },
    }),
  );
  // Every answer, whatever the route, carries the request id and helmet's headers. helmet's
  // twelve middlewares set the same headers on every answer: they are recorded once and set in
  // one loop, in the one middleware every request meets first.
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    assignRequestId(req, res);
    applyFixedHeaders(res, securityHeaders);
    next();
  });
  // Before anything reads a body: the body parsers below wait for it.
  const timeBody = bodyTimeout(config);
  // Bounded in size here and in shape (depth, number of values) before they are parsed. Nest's
  // useBodyParser reserves `verify`, where the shape is checked, so the parsers are added as is.
  const parseJson = json({ limit: JSON_BODY_LIMIT, verify: verifyJson });
  const parseForm = urlencoded({
    limit: JSON_BODY_LIMIT,
    extended: false,
    verify: verifyForm,
    // verifyForm's own bound answers first, with a 400.
    parameterLimit: MAX_BODY_VALUES + 1,
  });
  // A request without a body (the test the timer and both parsers start with) skips them at
  // once; the others meet the body timer, then each parser in turn.
  app.use((req: Request, res: Response, next: (error?: unknown) => void) => {
    if (!hasBody(req)) return next();
    timeBody(req, res, () => {
      parseJson(req, res, (error?: unknown) => {
        if (error !== undefined && error !== null) return next(error);
        parseForm(req, res, next);
      });
    });
  });
  // With no CORS_ORIGINS, cors({ origin: false }) only calls next(): not mounting it answers the
  // same (no CORS headers, preflights fall through) without its work on every request.
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Content-Disposition', 'ETag'],
      // The refresh cookie: only the listed origins may send it (never `*`).
      credentials: true,
      maxAge: 600,
    });
  }
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // The storefront and Swagger UI: a dozen routes and static handlers that every API request
  // would otherwise pass one by one. They have a router of their own, consulted only for their
  // paths (/, /app..., /docs...; matched without regard to case, as Express matches routes).
  const pages = Router();
  serveWebApp(pages, config);
  setupSwagger(app, pages);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (PAGE_PATHS.test(req.url)) pages(req, res, next);
    else next();
  });
  return app;
}
