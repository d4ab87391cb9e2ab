// Writes the OpenAPI document to openapi.json, or with --check fails when the committed one is stale.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/config/app-config.js';
import { buildOpenApiDocument } from '../src/swagger.js';

const FILE = 'openapi.json';

async function main(): Promise<number> {
  // Preview mode reads the routes without starting providers: no database, no storage.
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'openapi-generation-only-secret-0000000000',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { preview: true, logger: false });
  const document = `${JSON.stringify(buildOpenApiDocument(app, config.allowedCurrencies), null, 2)}\n`;
  await app.close();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(FILE, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (committed !== document) {
      console.error(`${FILE} is stale: run \`npm run openapi\` and commit the result`);
      return 1;
    }
    console.log(`${FILE} is up to date`);
    return 0;
  }
  writeFileSync(FILE, document);
  console.log(`wrote ${FILE}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
