import { createHmac, randomBytes } from 'node:crypto';
import autocannon, { type Result } from 'autocannon';
import pg from 'pg';
import {
  type BenchContext,
  type BenchResult,
  compare,
  cpuSeconds,
  envNumber,
  seedBuyers,
  seedProducts,
  startApp,
  withServer,
} from './lib.js';

export const SECRET = 'whsec_bench_webhooks';

/** Signs a payload as Stripe does: `t=<unix seconds>,v1=<HMAC-SHA256 of "t.payload">`. */
export function sign(payload: string): string {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', SECRET).update(`${t}.${payload}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * A checkout.session.completed event, paid, for 15.00 USD. For a checkout the app created (a
 * seeded pending purchase) it fulfils that purchase; for any other it is verified, recorded once
 * in payment_events and looked up in the same transaction as a real one, then ignored.
 */
export function completedEvent(sessionId = `cs_bench_${randomBytes(12).toString('hex')}`): string {
  const id = randomBytes(12).toString('hex');
  return JSON.stringify({
    id: `evt_bench_${id}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: sessionId,
        object: 'checkout.session',
        status: 'complete',
        payment_status: 'paid',
        amount_total: 1500,
        currency: 'usd',
        client_reference_id: null,
        metadata: {},
        payment_intent: `pi_bench_${id}`,
      },
    },
  });
}

const PRODUCTS = 100;

/** The app's settings for this scenario: the Stripe driver, verifying with SECRET. */
export const STRIPE_ENV = {
  PAYMENTS_DRIVER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_bench',
  STRIPE_WEBHOOK_SECRET: SECRET,
};

/**
 * `count` pending Stripe purchases of 15.00 USD with checkout sessions `cs_seeded_0` to
 * `cs_seeded_<count - 1>`, as POST /purchase leaves them (one live purchase per buyer and
 * product, so the buyers are spread over 100 products).
 */
export async function seedPendingPurchases(databaseUrl: string, count: number): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const creator = await db.query<{ id: string }>(
    `INSERT INTO users (email, password_hash, role, display_name)
    VALUES ('webhooks-creator@bench.example', 'x', 'creator', 'Creator') RETURNING id`,
  );
  await seedProducts(db, creator.rows[0].id, PRODUCTS, { priceCents: 1500, currencies: ['usd'] });
  await seedBuyers(db, Math.ceil(count / PRODUCTS));
  await db.query(
    `WITH p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM products),
      b AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users WHERE role = 'buyer')
    INSERT INTO purchases (buyer_id, product_id, amount_cents, currency, status, provider,
      provider_session_id)
    SELECT b.id, p.id, 1500, 'usd', 'pending', 'stripe', 'cs_seeded_' || i
    FROM generate_series(0, $1::int - 1) AS i
    JOIN p ON p.n = i % ${PRODUCTS}
    JOIN b ON b.n = i / ${PRODUCTS}`,
    [count],
  );
  await db.query('VACUUM ANALYZE purchases');
  return db;
}

/**
 * Verified Stripe webhook events processed per second (each a distinct event, signed per
 * request), against the same route answering a bad signature (the work before the database);
 * then a burst of 200 concurrent deliveries of one event: how many rows it wrote and how many
 * answers were not 2xx. On the server database every event fulfils its own seeded pending
 * purchase (row lock, checks, update, event row: the whole path of a real payment), and the
 * purchases paid are counted afterwards; on the embedded one (owned by the app, so nothing can
 * be seeded) the events are for checkouts the app does not know.
 */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  return withServer(startApp(ctx, STRIPE_ENV), async (app) => {
    const url = `${app.baseUrl}/webhooks/stripe`;
    const seeded = envNumber('BENCH_WEBHOOK_PURCHASES', 100_000);
    let db: pg.Client | undefined;
    if (app.databaseUrl !== undefined) {
      ctx.log(`seeding ${seeded} pending purchases with SQL`);
      db = await seedPendingPurchases(app.databaseUrl, seeded);
    } else {
      ctx.log('embedded database: the events are for checkouts the app does not know');
    }
    try {
      return await measure(ctx, url, app.pid, db, seeded);
    } finally {
      await db?.end();
    }
  });
}

/** Waits until the outbox has no pending message (the mail worker sent what the events queued). */
async function outboxDrained(db: pg.Client, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ pending: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending') AS pending`,
    );
    if (!rows[0].pending) return;
    if (Date.now() > deadline) throw new Error('webhooks: the outbox did not drain in time');
    await new Promise((done) => setTimeout(done, 100));
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function measure(
  ctx: BenchContext,
  url: string,
  pid: number,
  db: pg.Client | undefined,
  seeded: number,
): Promise<BenchResult[]> {
  let next = 0;
  // The next seeded checkout while there are any, else one the app does not know.
  const nextSession = () => (db !== undefined && next < seeded ? `cs_seeded_${next++}` : undefined);
  const drive = (valid: boolean, duration: number) =>
    autocannon({
      url,
      connections: ctx.connections,
      duration,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const body = completedEvent(valid ? nextSession() : undefined);
            return {
              ...request,
              headers: {
                'content-type': 'application/json',
                'stripe-signature': valid ? sign(body) : 't=1,v1=00',
              },
              body,
            };
          },
        },
      ],
    });
  const cpu = () => cpuSeconds(pid) ?? Number.NaN;

  ctx.log('warm-up');
  await drive(true, ctx.warmupSeconds);
  await drive(false, ctx.warmupSeconds);
  if (db !== undefined) await outboxDrained(db);
  // In turns (events, refusals, events, ...), so that load from other processes falls on both
  // alike. Each paid purchase queues two emails, which the app's mail worker sends beside the
  // requests: after each turn of events the bench waits for the outbox to drain, and counts
  // the app's CPU time until then as the events' (so the refusals never pay for them).
  const rounds = envNumber('BENCH_ROUNDS', 3);
  const seconds = Math.max(1, Math.round(ctx.seconds / rounds));
  const turns = { events: [] as Result[], refused: [] as Result[] };
  const cpuOf = { events: 0, refused: 0 };
  for (let round = 0; round < rounds; round += 1) {
    ctx.log(`turn ${round + 1} of ${rounds}: distinct verified events, then bad signatures`);
    let before = cpu();
    turns.events.push(await drive(true, seconds));
    if (db !== undefined) await outboxDrained(db);
    cpuOf.events += cpu() - before;
    before = cpu();
    turns.refused.push(await drive(false, seconds));
    cpuOf.refused += cpu() - before;
  }
  const total = (runs: Result[]) => runs.reduce((sum, r) => sum + r.requests.total, 0);
  const perSecond = (runs: Result[]) => total(runs) / (seconds * runs.length);
  const bad = (runs: Result[]) =>
    runs.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0);
  if (bad(turns.events) > 0) {
    throw new Error(`webhooks: ${bad(turns.events)} errors or non-2xx answers to valid events`);
  }
  if (db !== undefined && next >= seeded) {
    throw new Error(`all ${seeded} seeded purchases were used: raise BENCH_WEBHOOK_PURCHASES`);
  }
  // Every event sent for a seeded checkout so far, answered or cut off at the end of a run.
  const sent = next;

  ctx.log('burst: 200 concurrent deliveries of one event');
  const body = completedEvent(nextSession());
  const signature = sign(body);
  const answers = await Promise.all(
    Array.from({ length: 200 }, async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body,
      });
      const answer = (await res.json()) as { outcome?: string };
      return { status: res.status, outcome: answer.outcome };
    }),
  );
  const written = answers.filter((a) => a.status === 200 && a.outcome !== 'duplicate').length;
  const non2xx = answers.filter((a) => a.status < 200 || a.status >= 300).length;

  const results: BenchResult[] = [
    compare(
      'verified events processed/s',
      perSecond(turns.events),
      'events/s',
      'bad signature refused',
      perSecond(turns.refused),
    ),
    compare(
      'verified events per CPU-second of the app',
      total(turns.events) / cpuOf.events,
      'events/CPU-s',
      'bad signature refused',
      total(turns.refused) / cpuOf.refused,
    ),
    {
      name: 'verified event p50',
      value: median(turns.events.map((r) => r.latency.p50)),
      unit: 'ms',
    },
    {
      name: 'verified event p99',
      value: median(turns.events.map((r) => r.latency.p99)),
      unit: 'ms',
    },
    { name: 'burst of 200 duplicates: rows written', value: written, unit: 'rows' },
    { name: 'burst of 200 duplicates: non-2xx answers', value: non2xx, unit: 'answers' },
  ];
  if (db !== undefined) {
    const { rows } = await db.query<{ paid: number; burst: number }>(
      `SELECT count(*)::int AS paid,
        count(*) FILTER (WHERE provider_session_id = $1)::int AS burst
      FROM purchases WHERE status = 'paid'`,
      [`cs_seeded_${sent}`],
    );
    const { paid, burst } = rows[0];
    ctx.log(`${sent} events sent for seeded checkouts before the burst; ${paid} purchases paid`);
    // A request cut off at the end of a run (the warm-up and each turn) may or may not have
    // been processed; never more purchases than events, and the burst's purchase exactly once.
    const cutOff = (rounds + 1) * ctx.connections;
    if (burst !== 1 || paid - burst > sent || paid - burst < sent - cutOff) {
      throw new Error(`${sent} events and a burst, but ${paid} purchases paid (${burst} by it)`);
    }
    results.push({ name: 'purchases fulfilled by the events', value: paid, unit: 'purchases' });
  }
  return results;
}
