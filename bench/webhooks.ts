import { createHmac, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  type BenchContext,
  type BenchResult,
  compare,
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
      return await measure(ctx, url, db, seeded);
    } finally {
      await db?.end();
    }
  });
}

async function measure(
  ctx: BenchContext,
  url: string,
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

  ctx.log('warm-up');
  await drive(true, ctx.warmupSeconds);
  ctx.log('distinct verified events, as fast as they are answered');
  const events = await drive(true, ctx.seconds);
  ctx.log('the same route refusing a bad signature');
  const refused = await drive(false, ctx.seconds);
  if (events.errors + events.timeouts > 0 || events.non2xx > 0) {
    throw new Error(`webhooks: ${events.errors} errors, ${events.non2xx} non-2xx answers`);
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
      events.requests.average,
      'events/s',
      'bad signature refused',
      refused.requests.average,
    ),
    { name: 'verified event p50', value: events.latency.p50, unit: 'ms' },
    { name: 'verified event p99', value: events.latency.p99, unit: 'ms' },
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
    // A request cut off at the end of a run may or may not have been processed; never more
    // purchases than events, and the burst's purchase exactly once.
    if (burst !== 1 || paid - burst > sent || paid - burst < sent - 2 * ctx.connections) {
      throw new Error(`${sent} events and a burst, but ${paid} purchases paid (${burst} by it)`);
    }
    results.push({ name: 'purchases fulfilled by the events', value: paid, unit: 'purchases' });
  }
  return results;
}
