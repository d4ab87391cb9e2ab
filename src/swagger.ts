import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type RequestHandler, type Router, static as serveStatic } from 'express';
import { ErrorDto } from './common/error.dto.js';
import { AppConfig } from './config/app-config.js';

/** An operation extension: the route needs no database (so it never answers 503 for one). */
export const NO_DATABASE = 'x-no-database';

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
});

/**
 * `allowedCurrencies`: ALLOWED_CURRENCIES, the values a request's `currency` may take (the
 * committed openapi.json has the default list).
 */
export function buildOpenApiDocument(
  app: INestApplication,
  allowedCurrencies: readonly string[],
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Creator Files API')
    .setDescription(
      [
        'Independent creators sell digital files directly to their buyers.',
        '',
        'Sign in with `POST /login` (or register), then press **Authorize** and paste the `access_token`.',
        'Access tokens are short-lived: `POST /refresh` with the `refresh_token` gives the next pair.',
        'Every error has the shape `{ statusCode, code, message }` with a stable upper-case `code`.',
        'Lists are `{ items, nextCursor }`: pass `nextCursor` back as `cursor` for the next page.',
        'Answers to a signed-in caller, and those that carry tokens, are `Cache-Control: no-store`.',
      ].join('\n'),
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addCookieAuth(
      'refresh_token',
      { type: 'apiKey', in: 'cookie', description: 'The refresh token, for POST /refresh only' },
      'refresh_cookie',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorDto],
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  return completeDocument(document, allowedCurrencies);
}

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * What every operation needs for Redocly's recommended rules, filled in from the conventions so
 * that new routes pass without extra decorators:
 * - a route without @Auth is @Public (a test walks every route), so it needs no token:
 *   `security: []` says so explicitly;
 * - a request body or query goes through the global ValidationPipe, so it can answer 400;
 * - that pipe (and the multipart reader) refuses fields a body does not name, so every request
 *   body schema says `additionalProperties: false`, and a `currency` in one takes only the
 *   allowed currencies;
 * - Express answers HEAD on every GET route (the same handler, headers only), so every GET gets
 *   its HEAD operation, with the same statuses and no bodies;
 * - a request body that does not arrive within REQUEST_TIMEOUT_SECONDS is answered 408, on any
 *   route (any request may carry a body).
 */
export function completeDocument(
  document: OpenAPIObject,
  allowedCurrencies: readonly string[],
): OpenAPIObject {
  const requestSchemas = new Set<string>();
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (operation === undefined) continue;
      operation.security ??= [];
      const validated =
        operation.requestBody !== undefined ||
        (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'query');
      for (const media of Object.values(
        (operation.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)
          ?.content ?? {},
      )) {
        collectRefs(media.schema, requestSchemas);
      }
      const responses = operation.responses;
      // Bodies are parsed (and path escapes decoded) before any route runs, whatever the
      // route, so every operation can refuse unreadable input.
      responses['400'] ??= errorResponse(
        validated
          ? 'Invalid input (VALIDATION_FAILED)'
          : 'A malformed path, or an unreadable body (VALIDATION_FAILED, MALFORMED_JSON)',
      );
      responses['413'] ??= errorResponse('The body is over the size limit (PAYLOAD_TOO_LARGE)');
      responses['415'] ??= errorResponse(
        'A body of a type or charset that cannot be read (UNSUPPORTED_MEDIA_TYPE)',
      );
      // Express answers a GET whose ETag the client already has with a 304 and no body.
      if (method === 'get' && !isBinary(responses['200'])) {
        responses['304'] ??= {
          description: 'Not modified: If-None-Match named the current ETag (no body)',
        };
      }
      // Any request may carry a body, and one that does not arrive in time is cut short.
      responses['408'] ??= errorResponse(
        'A body that did not arrive within REQUEST_TIMEOUT_SECONDS (REQUEST_TIMEOUT); the connection is closed',
      );
      responses['500'] ??= errorResponse(
        'An unexpected error (INTERNAL), logged with the request id',
      );
      const extensions = operation as unknown as Record<string, unknown>;
      if (extensions[NO_DATABASE] === true) delete extensions[NO_DATABASE];
      else {
        responses['503'] ??= errorResponse(
          'The database is unreachable (SERVICE_UNAVAILABLE); Retry-After says when to try again',
        );
      }
    }
    // Built from the finished GET, so it has every status the GET has (304 too).
    const get = item.get;
    if (get !== undefined && item.head === undefined) {
      item.head = {
        ...get,
        operationId: `${get.operationId}_head`,
        summary: `${get.summary} (headers only)`,
        responses: Object.fromEntries(
          Object.entries(get.responses).map(([status, response]) => [
            status,
            { description: (response as { description: string }).description },
          ]),
        ),
      };
    }
  }
  const schemas = (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;
  // Schemas a request body refers to, and those they refer to in turn.
  const pending = [...requestSchemas];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    const nested = new Set<string>();
    collectRefs(schemas[name], nested);
    for (const ref of nested) {
      if (!requestSchemas.has(ref)) {
        requestSchemas.add(ref);
        pending.push(ref);
      }
    }
  }
  for (const name of requestSchemas) {
    const schema = schemas[name];
    if (schema?.type !== 'object') continue;
    schema.additionalProperties = false;
    const currency = (schema.properties as Record<string, Record<string, unknown>> | undefined)
      ?.currency;
    if (currency?.type === 'string') currency.enum = [...allowedCurrencies];
  }
  unwrapSingleAllOf(document.components?.schemas);
  return document;
}

function isBinary(response: unknown): boolean {
  const content = (response as { content?: Record<string, unknown> } | undefined)?.content;
  return content !== undefined && '*/*' in content;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (node === null || typeof node !== 'object') return;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    into.add(ref.slice('#/components/schemas/'.length));
  }
  for (const value of Object.values(node)) collectRefs(value, into);
}

// The generator wraps a lone enum $ref in `allOf: [{ $ref }]`; the $ref alone says the same.
function unwrapSingleAllOf(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const allOf = (value as { allOf?: unknown[] } | null)?.allOf;
    if (Array.isArray(allOf) && allOf.length === 1 && Object.keys(value as object).length === 1) {
      (node as Record<string, unknown>)[key] = allOf[0];
    }
    unwrapSingleAllOf((node as Record<string, unknown>)[key]);
  }
}

/**
 * Swagger UI at /docs and the document at /docs-json and /docs-yaml. With `router`, the routes
 * and static files SwaggerModule adds go on it instead of the app's own router.
 */
export function setupSwagger(app: INestApplication, router?: Router): void {
  const document = buildOpenApiDocument(app, app.get(AppConfig).allowedCurrencies);
  SwaggerModule.setup('docs', router === undefined ? app : routedTo(app, router), document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Creator Files API',
    swaggerOptions: { persistAuthorization: true },
  });
}

const bound = (target: object, key: string | symbol): unknown => {
  const value: unknown = Reflect.get(target, key, target);
  return typeof value === 'function'
    ? (value as (...args: unknown[]) => unknown).bind(target)
    : value;
};

/**
 * The app as SwaggerModule uses it on Express (its adapter's `get`, the app's
 * `useStaticAssets`), with both going to `router`; anything else is the app's own.
 */
function routedTo(app: INestApplication, router: Router): INestApplication {
  const adapter = app.getHttpAdapter();
  const routedAdapter = new Proxy(adapter, {
    get: (target, key) =>
      key === 'get'
        ? (path: string, handler: RequestHandler) => void router.get(path, handler)
        : bound(target, key),
  });
  return new Proxy(app, {
    get: (target, key) => {
      if (key === 'getHttpAdapter') return () => routedAdapter;
      if (key === 'useStaticAssets') {
        return (
          path: string,
          { prefix, ...options }: { prefix: string } & Parameters<typeof serveStatic>[1],
        ) => void router.use(prefix, serveStatic(path, options));
      }
      return bound(target, key);
    },
  });
}
