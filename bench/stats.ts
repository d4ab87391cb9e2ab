// `npm run bench -- stats`: latency of GET /creator/stats (and of a page of GET /creator/sales)
// for one creator with 1,000, 100,000 and 1,000,000 purchases, seeded in bulk with SQL in the
// app's own database on the PostgreSQL server. Each scale's figure is compared with the first
// scale's, measured in the same run, to show how the cost grows.
import pg from 'pg';
import {
  type BenchContext,
  type BenchResult,
  seedBuyers,
  seedProducts,
  signUp,
  startApp,
  withServer,
} from './lib.js';

const SCALES = [1_000, 100_000, 1_000_000];
export const PRODUCTS = 20;
const SAMPLES = 20;
const THROUGHPUT_SECONDS = 5;
const THROUGHPUT_CONNECTIONS = 4;
// Sales spread over two years: the default 30-day period holds about 4% of them.
const SPREAD_DAYS = 730;

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function timed(url: string, token: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return performance.now() - started;
}

export async function latencies(url: string, token: string): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await timed(url, token);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await timed(url, token));
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** Requests per second with a few concurrent clients, each sending one request at a time. */
async function throughput(url: string, token: string): Promise<number> {
  const until = performance.now() + THROUGHPUT_SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: THROUGHPUT_CONNECTIONS }, async () => {
      while (performance.now() < until) {
        await timed(url, token);
        done++;
      }
    }),
  );
  return done / THROUGHPUT_SECONDS;
}

/**
 * Adds purchases number `from` to `to - 1` of `creatorId`'s products: purchase i is bought by
 * buyer i / PRODUCTS of product i % PRODUCTS (one live purchase per buyer and product), paid at
 * a pseudo-random instant of the last two years; 5% are refunded, 2% partly refunded, 1% were
 * lost disputes, 2% never paid.
 */
export async function seedPurchases(
  db: Pick<pg.Client, 'query'>,
  creatorId: string,
  from: number,
  to: number,
) {
  await db.query(
    `WITH p AS (
      SELECT id, currency, price_cents, row_number() OVER (ORDER BY id) - 1 AS n
      FROM products WHERE creator_id = $1
    ), b AS (
      SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE role = 'buyer'
    ), s AS (
      SELECT i, p.id AS product_id, p.currency, p.price_cents, b.id AS buyer_id
      FROM generate_series($2::int, $3::int - 1) AS i
      JOIN p ON p.n = i % ${PRODUCTS}
      JOIN b ON b.n = i / ${PRODUCTS}
    )
    INSERT INTO purchases (buyer_id, product_id, amount_cents, currency, status, refunded_cents,
      dispute_status, provider, paid_at)
    SELECT buyer_id, product_id, price_cents, currency,
      (CASE WHEN i % 50 = 7 THEN 'expired' WHEN i % 20 = 3 OR i % 100 = 11 THEN 'refunded'
        ELSE 'paid' END)::purchase_status,
      CASE WHEN i % 20 = 3 OR i % 100 = 11 THEN price_cents WHEN i % 50 = 9 THEN price_cents / 2
        ELSE 0 END,
      (CASE WHEN i % 100 = 11 THEN 'lost' END)::dispute_status,
      'simulated',
      CASE WHEN i % 50 <> 7 THEN now() - ((i::bigint * 7919) % ${SPREAD_DAYS * 86_400}) * interval '1 second' END
    FROM s`,
    [creatorId, from, to],
  );
  // What autovacuum does on a live table after bulk inserts: statistics and the visibility map
  // (which lets index-only scans skip the table).
  await db.query('VACUUM ANALYZE purchases');
  await db.query('ANALYZE products');
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  if (ctx.database.kind !== 'server') {
    // A million rows cannot go through the embedded database's one connection in useful time.
    ctx.log('skipped: seeding 1,000,000 purchases needs a PostgreSQL server (BENCH_DATABASE_URL)');
    return [];
  }
  return withServer(startApp(ctx), async (app) => {
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      return await measure(ctx, app.baseUrl, db);
    } finally {
      await db.end();
    }
  });
}

async function measure(ctx: BenchContext, base: string, db: pg.Client): Promise<BenchResult[]> {
  const { token, userId } = await signUp(base, 'creator');
  await seedBuyers(db, Math.ceil(Math.max(...SCALES) / PRODUCTS));
  const rival = await db.query<{ id: string }>(
    `INSERT INTO users (email, password_hash, role, display_name)
    VALUES ('rival@bench.example', 'x', 'creator', 'Rival') RETURNING id`,
  );
  for (const creatorId of [userId, rival.rows[0].id]) {
    await seedProducts(db, creatorId, PRODUCTS, { currencies: ['usd', 'eur', 'jpy'] });
  }
  // Another creator's 100,000 sales share the table, as on a real platform.
  await seedPurchases(db, rival.rows[0].id, 0, 100_000);

  const stats = `${base}/creator/stats`;
  const sales = `${base}/creator/sales?limit=50`;
  const results: BenchResult[] = [];
  const first: Record<string, number> = {};
  let seeded = 0;
  for (const scale of SCALES) {
    const started = performance.now();
    await seedPurchases(db, userId, seeded, scale);
    seeded = scale;
    ctx.log(`seeded ${scale} purchases in ${Math.round(performance.now() - started)} ms`);
    const figures: [string, number, string][] = [];
    const s = await latencies(stats, token);
    figures.push(['stats p50', s.p50, 'ms'], ['stats p99', s.p99, 'ms']);
    figures.push(['stats throughput', await throughput(stats, token), 'req/s']);
    const l = await latencies(sales, token);
    figures.push(['sales page p50', l.p50, 'ms']);
    for (const [what, value, unit] of figures) {
      const baseline = first[what];
      if (baseline === undefined) first[what] = value;
      results.push({
        name: `${what} @ ${scale.toLocaleString('en-US')} purchases`,
        value: Math.round(value * 100) / 100,
        unit,
        ...(baseline === undefined
          ? {}
          : {
              baseline: { name: `${what} @ ${SCALES[0].toLocaleString('en-US')}`, value: baseline },
              ratio: Math.round((value / baseline) * 100) / 100,
            }),
      });
    }
  }
  return results;
}
