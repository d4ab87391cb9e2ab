// `npm run bench -- footprint`: what `npm install && npm start` holds on a laptop. The app as
// `npm start` runs it (development, info logs, the embedded PostgreSQL in a new DATA_DIR):
// resident memory at idle on a new data directory and after a restart, beside a minimal NestJS
// route's; then the embedded database's query latency, which its memory settings must not cost:
// uncached catalogue pages over 10,000 products and one creator's stats over 100,000 purchases.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../src/database/embedded-postgres.js';
import {
  type BenchContext,
  type BenchResult,
  compare,
  envNumber,
  fetchBody,
  type RunningServer,
  sampleRss,
  seedBuyers,
  seedProducts,
  signUp,
  startApp,
  startMinimalNest,
  withServer,
} from './lib.js';
import { latencies, PRODUCTS, seedPurchases } from './stats.js';

const GOAL_MB = 300;
const CATALOGUE_PRODUCTS = 10_000;
const PURCHASES = 100_000;
const PAGES = 50;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Mean resident memory over `seconds`, after `idleSeconds` with no requests. */
async function idleRss(server: RunningServer, idleSeconds: number, seconds = 5): Promise<number> {
  await sleep(idleSeconds * 1000);
  const sampler = sampleRss(server.pid, 250);
  await sleep(seconds * 1000);
  return sampler.stop().meanMb;
}

/** 10,000 published products of other creators and 100,000 purchases of `creatorId`'s 20. */
async function seed(dataDir: string, creatorId: string): Promise<void> {
  // The app is stopped: the bench opens its database file directly.
  const embedded = await EmbeddedPostgres.start(join(dataDir, 'pgdata'));
  try {
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: embedded.url });
    await db.connect();
    try {
      const other = await db.query<{ id: string }>(
        `INSERT INTO users (email, password_hash, role, display_name)
        VALUES ('catalogue@bench.example', 'x', 'creator', 'Catalogue') RETURNING id`,
      );
      await seedProducts(db, other.rows[0].id, CATALOGUE_PRODUCTS, { currencies: ['usd', 'eur'] });
      await seedProducts(db, creatorId, PRODUCTS, { currencies: ['usd', 'eur', 'jpy'] });
      await seedBuyers(db, Math.ceil(PURCHASES / PRODUCTS));
      await seedPurchases(db, creatorId, 0, PURCHASES);
    } finally {
      await db.end();
    }
  } finally {
    await embedded.stop();
  }
}

/** p50 of uncached catalogue pages: each page of a walk is a new cache key, so a query. */
async function cataloguePages(baseUrl: string): Promise<number> {
  const times: number[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < PAGES; i += 1) {
    const url = `${baseUrl}/products?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const started = performance.now();
    const res = await fetch(url);
    const page = (await res.json()) as { nextCursor: string | null };
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    times.push(performance.now() - started);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const idleSeconds = envNumber('BENCH_IDLE_SECONDS', 20);
  // As `npm start` runs: NODE_ENV and LOG_LEVEL unset mean development and info.
  const env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    JWT_SECRET: randomBytes(32).toString('hex'),
  };
  const embedded: BenchContext = { ...ctx, database: { kind: 'embedded' } };
  const dataDir = mkdtempSync(join(tmpdir(), 'creator-files-footprint-'));
  const shared = { dataDir };
  try {
    ctx.log(`the app on a new data directory, then ${idleSeconds} s idle`);
    const { fresh, creator, health } = await withServer(
      startApp(embedded, env, shared),
      async (app) => {
        const account = await signUp(app.baseUrl, 'creator');
        const answer = await fetchBody(`${app.baseUrl}/health`);
        return { fresh: await idleRss(app, idleSeconds), creator: account, health: answer };
      },
    );
    ctx.log(`seeding ${CATALOGUE_PRODUCTS} products and ${PURCHASES} purchases`);
    await seed(dataDir, creator.userId);

    ctx.log(`the app restarted on that data directory, ${idleSeconds} s idle, then queries`);
    const app = await withServer(startApp(embedded, env, shared), async (server) => {
      const restarted = await idleRss(server, idleSeconds);
      const catalogue = await cataloguePages(server.baseUrl);
      const stats = await latencies(`${server.baseUrl}/creator/stats`, creator.token);
      const busy = await idleRss(server, 0, 2);
      return { restarted, catalogue, stats, busy };
    });

    const nest = await withServer(
      startMinimalNest(health.body, health.contentType, '/health'),
      (server) => idleRss(server, idleSeconds),
    );
    return [
      compare('npm start RSS idle, new data dir', fresh, 'MiB', 'minimal NestJS', nest),
      compare('npm start RSS idle, after restart', app.restarted, 'MiB', 'minimal NestJS', nest),
      compare('npm start RSS idle, after restart', app.restarted, 'MiB', 'goal', GOAL_MB),
      compare('npm start RSS after the queries', app.busy, 'MiB', 'goal', GOAL_MB),
      { name: 'catalogue page from the database p50', value: app.catalogue, unit: 'ms' },
      {
        name: `creator stats p50 @ ${PURCHASES.toLocaleString('en-US')} purchases`,
        value: app.stats.p50,
        unit: 'ms',
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
