// `GET /products?limit=20` over 10,000 products: requests/s and p99 of the app, against a bare
// node:http server and a minimal NestJS route that answer the same bytes; plus EXPLAIN of the
// catalogue queries on the seeded table. Run: npm run build && node dist/bench/catalogue.js
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/app-config.js';
import { CatalogueService } from '../src/products/catalogue.service.js';
import { CatalogueQueryDto } from '../src/products/dto/catalogue-query.dto.js';
import {
  type BenchOptions,
  type BenchResult,
  compare,
  createBenchDatabase,
  load,
  logTo,
  printResults,
  ready,
  startChild,
} from './products-bench-kit.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const CREATORS = 100;

/** 100 creators and PRODUCTS products (one in ten unpublished), in two INSERT … SELECT. */
export async function seedProducts(dataSource: DataSource, count = PRODUCTS): Promise<void> {
  await dataSource.query(
    `INSERT INTO users (email, password_hash, role, display_name)
     SELECT 'bench-' || g || '@example.com', 'x', 'creator', 'Creator ' || g
     FROM generate_series(1, $1) g`,
    [CREATORS],
  );
  await dataSource.query(
    `WITH creators AS (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'creator')
     INSERT INTO products (creator_id, title, description, price_cents, currency, status,
       file_key, file_name, file_size, content_type, sha256, created_at, updated_at)
     SELECT c.ids[1 + g % array_length(c.ids, 1)], 'Product ' || g || ' ' || md5(g::text),
       'A description of product ' || g || ' about ' || (ARRAY['presets', 'fonts', 'e-books', 'brushes', 'templates'])[1 + g % 5],
       CASE WHEN g % 7 = 0 THEN 0 ELSE 50 + (g * 7919) % 100000 END, 'usd',
       (CASE WHEN g % 10 = 0 THEN 'unpublished' ELSE 'published' END)::product_status,
       'bench/' || g, 'file-' || g || '.pdf', 1000 + g, 'application/pdf', md5(g::text) || md5(g::text),
       now() - g * interval '1 second', now()
     FROM generate_series(1, $1) g, creators c`,
    [count],
  );
  await dataSource.query('ANALYZE users');
  await dataSource.query('ANALYZE products');
}

/** The plans of the catalogue queries, and whether any of them reads the whole table. */
async function explain(dataSource: DataSource, catalogue: CatalogueService) {
  const [{ id: creatorId }] = await dataSource.query<{ id: string }[]>(
    `SELECT creator_id AS id FROM products LIMIT 1`,
  );
  const query = (q: Partial<CatalogueQueryDto>) =>
    Object.assign(new CatalogueQueryDto(), { limit: 20, sort: 'newest' }, q);
  const cases: [string, CatalogueQueryDto][] = [
    ['catalogue, newest', query({})],
    ['catalogue, price_asc', query({ sort: 'price_asc' })],
    ['catalogue, price_desc', query({ sort: 'price_desc' })],
    ["one creator's page, newest", query({ creatorId })],
    ['search a common word ("presets", 1 row in 5)', query({ q: 'presets' })],
    ['search a rare word (one title)', query({ q: 'e2c420d928d4bf8ce0ff2ec19b371514' })],
  ];
  // A deep page: the cursor of the 5,000th item.
  const deep = await catalogue.list(query({ limit: 100 }));
  cases.push([
    'catalogue, newest, after a cursor',
    query({ cursor: deep.nextCursor ?? undefined }),
  ]);
  const creatorList = {
    sql: `SELECT p.id FROM products p WHERE p.creator_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT 21`,
    params: [creatorId],
  };
  const plans: Record<string, string> = {};
  for (const [name, q] of cases) {
    const { sql, params } = catalogue.listQuery(q);
    plans[name] = await plan(dataSource, sql, params);
  }
  plans['GET /creator/products'] = await plan(dataSource, creatorList.sql, creatorList.params);
  return plans;
}

async function plan(dataSource: DataSource, sql: string, params: unknown[]): Promise<string> {
  const rows = await dataSource.query<{ 'QUERY PLAN': string }[]>(
    `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`,
    params,
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** Child mode: the app on a seeded database. */
async function serveApp(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-bench-catalogue-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    ALLOW_SIMULATED_PAYMENTS: 'true',
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.BENCH_APP_DATABASE_URL,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
  });
  const app = await createApp(config);
  await app.init();
  const dataSource = app.get(DataSource);
  await seedProducts(dataSource);
  const plans = await explain(dataSource, app.get(CatalogueService));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.on('SIGTERM', () => {
    void app.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
  ready({ port, plans, embedded: config.database.url === undefined });
}

/** Child mode: a bare node:http server answering `body`. */
function serveBare(body: Buffer): void {
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': body.length,
    });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    ready({ port: (server.address() as { port: number }).port });
  });
  process.on('SIGTERM', () => process.exit(0));
}

/** Child mode: one NestJS route on Express returning the same JSON (the framework's floor). */
async function serveNest(body: Buffer): Promise<void> {
  const value: unknown = JSON.parse(body.toString());
  @Controller()
  class FloorController {
    @Get('products')
    @Header('Cache-Control', 'no-store')
    products(): unknown {
      return value;
    }
  }
  @Module({ controllers: [FloorController] })
  class FloorModule {}
  const app = await NestFactory.create(FloorModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  ready({ port: (app.getHttpServer().address() as { port: number }).port });
  process.on('SIGTERM', () => process.exit(0));
}

export async function run(options: BenchOptions = {}): Promise<BenchResult[]> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 10);
  const connections = options.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 50);
  const log = logTo(options);
  const script = new URL(import.meta.url).pathname;
  const database = await createBenchDatabase();
  const scratch = mkdtempSync(join(tmpdir(), 'cf-bench-body-'));
  try {
    log(`catalogue: seeding ${PRODUCTS} products (${database ? 'PostgreSQL server' : 'embedded'})`);
    const app = await startChild(script, ['--serve', 'app'], {
      BENCH_APP_DATABASE_URL: database?.url ?? '',
    });
    const url = `http://127.0.0.1:${String(app.ready.port)}/products?limit=20`;
    for (const [name, text] of Object.entries(app.ready.plans as Record<string, string>)) {
      log(`\nEXPLAIN ANALYZE ${name}:\n${text}`);
    }
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    const bodyFile = join(scratch, 'body.json');
    writeFileSync(bodyFile, body);
    log(`catalogue: page of ${body.length} bytes; warming up`);
    await load(url, 2, connections);
    const measured = await load(url, seconds, connections);
    const healthUrl = `http://127.0.0.1:${String(app.ready.port)}/health`;
    await load(healthUrl, 2, connections);
    const health = await load(healthUrl, seconds, connections);
    await app.stop();

    const results: Record<string, Awaited<ReturnType<typeof load>>> = {};
    for (const mode of ['bare', 'nest'] as const) {
      const server = await startChild(script, ['--serve', mode, bodyFile]);
      const baseUrl = `http://127.0.0.1:${String(server.ready.port)}/products?limit=20`;
      await load(baseUrl, 2, connections);
      results[mode] = await load(baseUrl, seconds, connections);
      await server.stop();
    }
    return [
      compare(
        'GET /products?limit=20 req/s',
        measured.rps,
        'req/s',
        'bare node:http',
        results.bare.rps,
      ),
      compare(
        'GET /products?limit=20 req/s',
        measured.rps,
        'req/s',
        'minimal NestJS route',
        results.nest.rps,
      ),
      compare(
        'GET /products?limit=20 p99',
        measured.p99,
        'ms',
        'minimal NestJS route p99',
        results.nest.p99,
      ),
      compare(
        'GET /products?limit=20 req/s',
        measured.rps,
        'req/s',
        'GET /health of the same app',
        health.rps,
      ),
      { name: 'GET /products?limit=20 p50', value: measured.p50, unit: 'ms' },
      { name: 'catalogue page size', value: body.length, unit: 'bytes' },
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await database?.drop();
  }
}

const main =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (main) {
  const [flag, mode, file] = process.argv.slice(2);
  if (flag === '--serve' && mode === 'app') await serveApp();
  else if (flag === '--serve' && mode === 'bare') serveBare(readFileSync(file));
  else if (flag === '--serve' && mode === 'nest') await serveNest(readFileSync(file));
  else printResults('catalogue', await run());
}
