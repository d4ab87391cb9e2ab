import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorDto } from './common/error.dto.js';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Creator Files API')
    .setDescription(
      [
        'Independent creators sell digital files directly to their buyers.',
        '',
        'Sign in with `POST /login` (or register), then press **Authorize** and paste the `access_token`.',
        'Every error has the shape `{ statusCode, code, message }` with a stable upper-case `code`.',
        'Lists are `{ items, nextCursor }`: pass `nextCursor` back as `cursor` for the next page.',
      ].join('\n'),
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorDto],
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

export function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Creator Files API',
    swaggerOptions: { persistAuthorization: true },
  });
}
