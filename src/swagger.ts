import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorDto } from './common/error.dto.js';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
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
  return completeDocument(document);
}

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * What every operation needs for Redocly's recommended rules, filled in from the conventions so
 * that new routes pass without extra decorators:
 * - a route without @Auth is @Public (a test walks every route), so it needs no token:
 *   `security: []` says so explicitly;
 * - a request body or query goes through the global ValidationPipe, so it can answer 400;
 * - a request body that does not arrive within REQUEST_TIMEOUT_SECONDS is answered 408.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (operation === undefined) continue;
      operation.security ??= [];
      const validated =
        operation.requestBody !== undefined ||
        (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'query');
      if (validated && operation.responses['400'] === undefined) {
        operation.responses['400'] = {
          description: 'Invalid input (VALIDATION_FAILED)',
          content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
        };
      }
      if (operation.requestBody !== undefined && operation.responses['408'] === undefined) {
        operation.responses['408'] = {
          description:
            'The body did not arrive within REQUEST_TIMEOUT_SECONDS (REQUEST_TIMEOUT); the connection is closed',
          content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) } } },
        };
      }
    }
  }
  unwrapSingleAllOf(document.components?.schemas);
  return document;
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

export function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Creator Files API',
    swaggerOptions: { persistAuthorization: true },
  });
}
