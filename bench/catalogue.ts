import pg from 'pg';
import type { AppConfig } from '../src/config/app-config.js';
import type { PaymentsDriver } from '../src/payments/payments.interface.js';
import { PayoutsService } from '../src/payouts/payouts.service.js';
import { CatalogueService } from '../src/products/catalogue.service.js';
import { CatalogueQueryDto } from '../src/products/dto/catalogue-query.dto.js';
import {
  assertClean,
  type BenchContext,
  type BenchResult,
  compare,
  comparePerCpu,
  createProduct,
  envNumber,
  fetchBody,
  loadInTurns,
  signUp,
  startApp,
  startBareHttp,
  startMinimalNest,
  withServer,
} from './lib.js';

const CREATORS = 100;
// The embedded database is one connection owned by the app: products go in through the API.
const EMBEDDED_PRODUCTS = 200;
const PATH = '/products?limit=20';

/** 100 creators and `count` products (one in ten unpublished), in two INSERT ... SELECT. */
async function seedWithSql(databaseUrl: string, count: number): Promise<{ explain: pg.Client }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    `INSERT INTO users (email, password_hash, role, display_name)
     SELECT 'bench-' || g || '@example.com', 'x', 'creator', 'Creator ' || g
     FROM generate_series(1, $1::int) g`,
    [CREATORS],
  );
  await client.query(
    `WITH creators AS (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE role = 'creator')
     INSERT INTO products (creator_id, title, description, price_cents, currency, status,
       file_key, file_name, file_size, content_type, sha256, created_at, updated_at)
     SELECT c.ids[1 + g % array_length(c.ids, 1)], 'Product ' || g || ' ' || md5(g::text),
       'A description of product ' || g || ' about ' || (ARRAY['presets', 'fonts', 'e-books', 'brushes', 'templates'])[1 + g % 5],
       CASE WHEN g % 7 = 0 THEN 0 ELSE 50 + (g * 7919) % 100000 END, 'usd',
       (CASE WHEN g % 10 = 0 THEN 'unpublished' ELSE 'published' END)::product_status,
       'bench/' || g, 'file-' || g || '.pdf', 1000 + g, 'application/pdf', md5(g::text) || md5(g::text),
       now() - g * interval '1 second', now()
     FROM generate_series(1, $1::int) g, creators c`,
    [count],
  );
  await client.query('ANALYZE users');
  await client.query('ANALYZE products');
  return { explain: client };
}

/** One line per catalogue query: its execution time on the seeded table, and any full scan. */
async function explainQueries(client: pg.Client, log: (line: string) => void): Promise<void> {
  const { rows } = await client.query<{ creator_id: string }>(
    'SELECT creator_id FROM products LIMIT 1',
  );
  // Connect payouts mode: its `purchasable` subquery is the costlier plan.
  const payouts = new PayoutsService(
    undefined as never,
    { name: 'stripe' } as PaymentsDriver,
    {
      payouts: { mode: 'connect', feeBps: 500, feeFixedCents: 0 },
    } as AppConfig,
  );
  const catalogue = new CatalogueService(undefined as never, payouts);
  const query = (q: Partial<CatalogueQueryDto>) =>
    Object.assign(new CatalogueQueryDto(), { limit: 20, sort: 'newest' }, q);
  const cases: [string, CatalogueQueryDto][] = [
    ['newest', query({})],
    ['price_asc', query({ sort: 'price_asc' })],
    ['price_desc', query({ sort: 'price_desc' })],
    ["one creator's page", query({ creatorId: rows[0].creator_id })],
    ['search a common word (1 row in 5)', query({ q: 'presets' })],
    ['search a rare word (one title)', query({ q: 'e2c420d928d4bf8ce0ff2ec19b371514' })],
  ];
  for (const [name, q] of cases) {
    const { sql, params } = catalogue.listQuery(q);
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`,
      params,
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    const time = /Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? '?';
    const scan = /Seq Scan on products/.test(text) ? '  FULL SCAN of products' : '';
    log(`  query ${name}: ${time} ms${scan}`);
  }
}

/**
 * `GET /products?limit=20` over 10,000 products (the server database; fewer, through the API,
 * on the embedded one), against a bare node:http server and a minimal NestJS route answering
 * the same bytes, measured in turns; also the conditional request a browser repeats (304).
 */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const count = envNumber('BENCH_PRODUCTS', 10_000);
  return withServer(startApp(ctx), async (app) => {
    let seeded: number;
    if (app.databaseUrl !== undefined) {
      ctx.log(`seeding ${count} products with SQL`);
      const { explain } = await seedWithSql(app.databaseUrl, count);
      seeded = count;
      await explainQueries(explain, (line) => ctx.log(line));
      await explain.end();
    } else {
      seeded = Math.min(count, EMBEDDED_PRODUCTS);
      ctx.log(
        `embedded database (one connection, owned by the app): ${seeded} products through the ` +
          `upload route instead of ${count}; use a PostgreSQL server for the full figure`,
      );
      const creator = await signUp(app.baseUrl, 'creator');
      for (let i = 0; i < seeded; i += 1) {
        await createProduct(app.baseUrl, creator.token, {
          size: 1024,
          title: `Product ${i}`,
          fileName: `file-${i}.pdf`,
          contentType: 'application/pdf',
        });
      }
    }
    const page = await fetchBody(`${app.baseUrl}${PATH}`);
    const etag = (await fetch(`${app.baseUrl}${PATH}`)).headers.get('etag') ?? '';
    ctx.log(`page of ${page.body.length} bytes (${page.contentType}), ETag ${etag}`);
    const nest = await startMinimalNest(page.body, page.contentType, '/products');
    const bare = await startBareHttp(page.body, page.contentType, '/products');
    try {
      const conditional = { 'If-None-Match': etag };
      const results = await loadInTurns(ctx, {
        app: { url: `${app.baseUrl}${PATH}`, serverPid: app.pid },
        nest: { url: `${nest.baseUrl}${PATH}`, serverPid: nest.pid },
        bare: { url: `${bare.baseUrl}${PATH}`, serverPid: bare.pid },
        app304: { url: `${app.baseUrl}${PATH}`, headers: conditional },
        nest304: { url: `${nest.baseUrl}${PATH}`, headers: conditional },
      });
      // autocannon counts a 304 as non-2xx: check those runs saw nothing else.
      const { app304, nest304, ...full } = results;
      assertClean(full);
      for (const [name, r] of Object.entries({ app304, nest304 })) {
        if (r.errors > 0 || r.non2xx !== r.total) {
          throw new Error(`${name}: ${r.errors} errors, ${r.total - r.non2xx} answers not 304`);
        }
      }
      const { app: a, nest: n, bare: b } = results;
      return [
        compare(
          'GET /products?limit=20 req/s',
          a.requestsPerSec,
          'req/s',
          'minimal NestJS (goal 0.8x)',
          n.requestsPerSec,
        ),
        compare(
          'GET /products?limit=20 req/s',
          a.requestsPerSec,
          'req/s',
          'bare node:http',
          b.requestsPerSec,
        ),
        ...comparePerCpu('GET /products?limit=20 per CPU-second', a, 'minimal NestJS', n),
        compare('GET /products?limit=20 p50', a.p50, 'ms', 'minimal NestJS', n.p50),
        compare('GET /products?limit=20 p99', a.p99, 'ms', 'minimal NestJS', n.p99),
        compare(
          'same with If-None-Match (304) req/s',
          app304.requestsPerSec,
          'req/s',
          'minimal NestJS',
          nest304.requestsPerSec,
        ),
        { name: 'page size', value: page.body.length, unit: 'bytes' },
        { name: 'products seeded', value: seeded, unit: '' },
      ];
    } finally {
      await nest.stop();
      await bare.stop();
    }
  });
}
