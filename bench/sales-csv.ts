// `npm run bench -- sales-csv`: the sales CSV of a creator with 100,000 sales, on an app with ONE
// database connection (DB_POOL_SIZE=1, what the embedded database has), seeded with SQL on the
// PostgreSQL server.
// - Memory: the server's RSS sampled every 50 ms during a full export of 10,000 sales and of
//   100,000; flat memory means the peak growth does not grow with the number of rows (ratio ~1).
// - Speed: the export's time against the database alone returning the same rows in one query to
//   this process (the floor of any export).
// - A slow client: an export read at 64 KiB every 250 ms while a probe asks GET /health/ready and
//   a database route (GET /creator/products) ten times a second; their p50/p99 against the same
//   probe with no export running, the probe's failures (goal: 0: the one connection is free
//   between batches), and samples of pg_stat_activity (every 200 ms) that saw the app's session
//   idle in a transaction while the client was slow (goal: 0).
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import {
  type BenchContext,
  type BenchResult,
  compare,
  envNumber,
  rssMb,
  sampleRss,
  seedProducts,
  signUp,
  startApp,
  withServer,
} from './lib.js';

const PRODUCTS = 20;
const SMALL = 10_000;
const SALES = envNumber('BENCH_CSV_SALES', 100_000);
const PROBE_INTERVAL_MS = 100;
const SLOW_READ_BYTES = 64 * 1024;
const SLOW_READ_EVERY_MS = 250;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  if (ctx.database.kind !== 'server') {
    ctx.log('skipped: seeding 100,000 sales needs a PostgreSQL server (BENCH_DATABASE_URL)');
    return [];
  }
  // One connection, like the embedded database: the case where holding it stops everything.
  return withServer(startApp(ctx, { DB_POOL_SIZE: '1' }), async (app) => {
    const db = new pg.Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      return await measure(ctx, app.baseUrl, app.pid, db);
    } finally {
      await db.end();
    }
  });
}

/** Sales number `from` to `to - 1`: buyer i buys product i % PRODUCTS, paid i seconds ago. */
async function seedSales(db: pg.Client, creatorId: string, from: number, to: number) {
  await db.query(
    `WITH b AS (
      INSERT INTO users (email, password_hash, role, display_name)
      SELECT 'csv-buyer-' || i || '@bench.example', 'x', 'buyer', 'Buyer ' || i
      FROM generate_series($2::int, $3::int - 1) AS i
      RETURNING id, (regexp_match(email, '\\d+'))[1]::int AS i
    ), p AS (
      SELECT id, currency, price_cents, row_number() OVER (ORDER BY id) - 1 AS n
      FROM products WHERE creator_id = $1
    )
    INSERT INTO purchases (buyer_id, product_id, amount_cents, currency, status, provider, paid_at)
    SELECT b.id, p.id, p.price_cents, p.currency, 'paid', 'simulated',
      now() - b.i * interval '1 second'
    FROM b JOIN p ON p.n = b.i % ${PRODUCTS}`,
    [creatorId, from, to],
  );
  // What autovacuum does on a live table after bulk inserts: statistics and the visibility map.
  await db.query('VACUUM ANALYZE purchases');
  await db.query('ANALYZE users');
}

/** Reads a whole export as fast as possible; its lines and time, and the server's RSS. */
async function fullExport(base: string, token: string, pid: number, expected: number) {
  const idle = rssMb(pid);
  const rss = sampleRss(pid);
  const started = performance.now();
  const res = await fetch(`${base}/creator/sales?format=csv`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (res.status !== 200 || res.body === null) throw new Error(`export: ${res.status}`);
  let lines = 0;
  let bytes = 0;
  // The server's RSS at each tenth of the way, to see whether it levels off or keeps growing.
  const timeline: number[] = [];
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines++;
    if (lines >= (timeline.length + 1) * (expected / 10)) timeline.push(rssMb(pid) - idle);
  }
  const seconds = (performance.now() - started) / 1000;
  const memory = rss.stop();
  return {
    lines,
    bytes,
    seconds,
    idleMb: idle,
    peakMb: memory.peakMb,
    growthMb: memory.peakMb - idle,
    timeline,
  };
}

/** The rows of the export straight from PostgreSQL in one query: the floor of any export. */
async function databaseFloor(db: pg.Client, creatorId: string): Promise<number> {
  const started = performance.now();
  const result = await db.query(
    `SELECT u.id, u.product_id, p.title, b.email, u.amount_cents, u.currency, u.status,
      u.refunded_cents, u.paid_at
    FROM products p JOIN purchases u ON u.product_id = p.id JOIN users b ON b.id = u.buyer_id
    WHERE p.creator_id = $1 AND u.paid_at IS NOT NULL
    ORDER BY u.paid_at DESC, u.id DESC`,
    [creatorId],
  );
  if (result.rowCount !== SALES) throw new Error(`floor: ${result.rowCount} rows`);
  return (performance.now() - started) / 1000;
}

interface Probe {
  latencies: number[];
  failures: number;
}

/** Asks each URL every PROBE_INTERVAL_MS until `stop` resolves; latencies of the answers. */
async function probe(urls: string[], token: string, stop: Promise<void>): Promise<Probe> {
  const out: Probe = { latencies: [], failures: 0 };
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    await Promise.all(
      urls.map(async (url) => {
        const started = performance.now();
        try {
          const res = await fetch(url, {
            headers: { Authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(15_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) out.latencies.push(performance.now() - started);
          else out.failures++;
        } catch {
          out.failures++;
        }
      }),
    );
    await sleep(PROBE_INTERVAL_MS);
  }
  out.latencies.sort((a, b) => a - b);
  return out;
}

/**
 * An export over a raw socket read SLOW_READ_BYTES every SLOW_READ_EVERY_MS for `seconds`,
 * then to the end; while it is slow, `during` runs. Answers the lines received.
 */
async function slowExport(
  base: string,
  token: string,
  seconds: number,
  during: () => Promise<void>,
): Promise<number> {
  const url = new URL(base);
  const socket: Socket = connect(Number(url.port), url.hostname);
  let lines = 0;
  let ended = false;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('end', () => {
      ended = true;
      resolve();
    });
    socket.on('error', reject);
  });
  const count = (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 10) lines++;
  };
  socket.write(
    `GET /creator/sales?format=csv HTTP/1.1\r\nHost: ${url.host}\r\n` +
      `Authorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
  );
  socket.pause();
  const slowUntil = performance.now() + seconds * 1000;
  const slowReader = (async () => {
    while (performance.now() < slowUntil && !ended) {
      let taken = 0;
      let chunk: Buffer | null;
      while (taken < SLOW_READ_BYTES && (chunk = socket.read() as Buffer | null) !== null) {
        count(chunk);
        taken += chunk.length;
      }
      await sleep(SLOW_READ_EVERY_MS);
    }
  })();
  await Promise.all([slowReader, during()]);
  socket.on('data', count);
  socket.resume();
  await done;
  // Chunked transfer adds a few framing lines; the header line, the rows and the response head
  // are what is counted, so only a lower bound is checked by the caller.
  return lines;
}

async function measure(
  ctx: BenchContext,
  base: string,
  pid: number,
  db: pg.Client,
): Promise<BenchResult[]> {
  const { token, userId } = await signUp(base, 'creator');
  await seedProducts(db, userId, PRODUCTS, { currencies: ['usd', 'eur'] });
  const results: BenchResult[] = [];

  ctx.log(`seeding ${SMALL.toLocaleString('en-US')} sales`);
  await seedSales(db, userId, 0, SMALL);
  await fullExport(base, token, pid, SMALL); // warm-up
  const small = await fullExport(base, token, pid, SMALL);
  if (small.lines !== SMALL + 1) throw new Error(`export of ${SMALL}: ${small.lines} lines`);

  ctx.log(`seeding up to ${SALES.toLocaleString('en-US')} sales`);
  await seedSales(db, userId, SMALL, SALES);
  const large = await fullExport(base, token, pid, SALES);
  const again = await fullExport(base, token, pid, SALES);
  if (large.lines !== SALES + 1) throw new Error(`export of ${SALES}: ${large.lines} lines`);
  const floor = await databaseFloor(db, userId);
  ctx.log(
    `export of ${SALES}: ${(large.bytes / 2 ** 20).toFixed(1)} MiB in ${large.seconds.toFixed(2)} s; ` +
      `RSS idle ${large.idleMb.toFixed(0)} MiB, peak ${large.peakMb.toFixed(0)} MiB; growth at ` +
      `each tenth: ${large.timeline.map((v) => v.toFixed(0)).join(' ')} MiB, on a second ` +
      `export: ${again.timeline.map((v) => v.toFixed(0)).join(' ')} MiB`,
  );
  results.push(
    compare(
      `peak RSS growth, ${SALES} sales`,
      large.growthMb,
      'MiB',
      `${SMALL} sales`,
      Math.max(small.growthMb, 1),
    ),
    {
      // Garbage, not retained rows: it rises until V8's next major collection, then falls.
      name: `RSS growth at the end of a second export of ${SALES}`,
      value: again.timeline[again.timeline.length - 1],
      unit: 'MiB',
    },
    compare(
      `export time, ${SALES} sales`,
      large.seconds,
      's',
      'the same rows from PostgreSQL in one query',
      floor,
    ),
    {
      name: `export rate, ${SALES} sales`,
      value: SALES / large.seconds,
      unit: 'rows/s',
    },
  );

  // The probe alone, then while a client reads the export slowly.
  const urls = [`${base}/health/ready`, `${base}/creator/products?limit=5`];
  const seconds = Math.max(5, ctx.seconds);
  const alone = await probe(urls, token, sleep(seconds * 1000));
  let busySessions = 0;
  let samples = 0;
  const appSessions = async () => {
    const until = performance.now() + seconds * 1000 - 500;
    while (performance.now() < until) {
      const rows = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND state LIKE 'idle in transaction%'`,
      );
      if (rows.rows[0].n > 0) busySessions++;
      samples++;
      await sleep(200);
    }
  };
  const rssBefore = rssMb(pid);
  const rss = sampleRss(pid);
  let slowProbe: Probe = { latencies: [], failures: 0 };
  const slowLines = await slowExport(base, token, seconds, async () => {
    const stop = sleep(seconds * 1000);
    [slowProbe] = await Promise.all([probe(urls, token, stop), appSessions()]);
  });
  const slowRss = rss.stop();
  if (slowLines < SALES + 1) throw new Error(`slow export: ${slowLines} lines`);
  if (slowProbe.failures > 0 || alone.failures > 0) {
    throw new Error(
      `probe failures: ${slowProbe.failures} with a slow client, ${alone.failures} alone`,
    );
  }
  results.push(
    compare(
      'probe p50 while a client reads slowly',
      quantile(slowProbe.latencies, 0.5),
      'ms',
      'no export running',
      quantile(alone.latencies, 0.5),
    ),
    compare(
      'probe p99 while a client reads slowly',
      quantile(slowProbe.latencies, 0.99),
      'ms',
      'no export running',
      quantile(alone.latencies, 0.99),
    ),
    { name: 'probe failures while a client reads slowly', value: slowProbe.failures, unit: '' },
    {
      name: 'samples with an app session idle in a transaction',
      value: busySessions,
      unit: `of ${samples}`,
    },
    {
      name: 'peak RSS growth while a client reads slowly',
      value: slowRss.peakMb - rssBefore,
      unit: 'MiB',
    },
  );
  return results;
}
