// A mixed workload at 100 connections against the built app: browse the catalogue, log in, buy
// through the simulated checkout (POST /purchase, then the Pay form), issue download links, read
// the library and the creators' stats. Then the same against two app processes on one database
// behind a round-robin TCP proxy. Afterwards the database must show every purchase exactly once.
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import autocannon, { type Options } from 'autocannon';
import pg from 'pg';
import {
  type BenchContext,
  type BenchResult,
  envNumber,
  freePort,
  type RunningServer,
  signUp,
  startApp,
} from './lib.js';

const CREATORS = 5;
const BUYERS = 50;
const PRODUCTS_PER_CREATOR = envNumber('LOAD_PRODUCTS_PER_CREATOR', 60);
const PREBOUGHT_PER_BUYER = 2;
const CONNECTIONS = envNumber('LOAD_CONNECTIONS', 100);

interface Account {
  email: string;
  password: string;
  token: string;
  userId: string;
}

interface World {
  creators: Account[];
  buyers: Account[];
  products: string[];
  /** Pairs bought in setup: what download links are issued for. */
  owned: { buyer: Account; productId: string }[];
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function upload(baseUrl: string, creator: Account, i: number): Promise<string> {
  const form = new FormData();
  form.append('title', `Load product ${i} ${randomBytes(3).toString('hex')}`);
  form.append('description', 'Presets for the load test');
  form.append('priceCents', String(500 + (i % 20) * 100));
  form.append(
    'file',
    new Blob([`%PDF-1.7\n${randomBytes(2048).toString('hex')}\n%%EOF\n`]),
    `p${i}.pdf`,
  );
  const res = await fetch(`${baseUrl}/creator/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${creator.token}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** POST /purchase then the simulated Pay form; true when it ended on the success redirect. */
async function buy(baseUrl: string, buyer: Account, productId: string): Promise<void> {
  const started = await fetch(`${baseUrl}/purchase/${productId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (started.status !== 201)
    throw new Error(`purchase: ${started.status} ${await started.text()}`);
  const { sessionId } = (await started.json()) as { sessionId: string };
  const paid = await fetch(`${baseUrl}/checkout/simulated/${sessionId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'outcome=success',
    redirect: 'manual',
  });
  if (paid.status !== 303) throw new Error(`pay: ${paid.status}`);
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function prepare(ctx: BenchContext, baseUrl: string): Promise<World> {
  const creators: Account[] = [];
  const buyers: Account[] = [];
  for (let i = 0; i < CREATORS; i++) creators.push(await signUp(baseUrl, 'creator'));
  await inBatches([...Array(BUYERS).keys()], 10, async () => {
    buyers.push(await signUp(baseUrl, 'buyer'));
  });
  const products: string[] = [];
  const jobs = creators.flatMap((c) =>
    [...Array(PRODUCTS_PER_CREATOR).keys()].map((i) => ({ c, i })),
  );
  await inBatches(jobs, 10, async ({ c, i }) => {
    products.push(await upload(baseUrl, c, i));
  });
  const owned = buyers.flatMap((buyer, b) =>
    [...Array(PREBOUGHT_PER_BUYER).keys()].map((k) => ({
      buyer,
      productId: products[(b * PREBOUGHT_PER_BUYER + k) % products.length],
    })),
  );
  await inBatches(owned, 10, ({ buyer, productId }) => buy(baseUrl, buyer, productId));
  ctx.log(
    `prepared ${creators.length} creators, ${buyers.length} buyers, ${products.length} products, ${owned.length} purchases`,
  );
  return { creators, buyers, products, owned };
}

interface RouteStats {
  latencies: number[];
  statuses: Map<number, number>;
}

interface Family {
  name: string;
  connections: number;
  requests: NonNullable<Options['requests']>;
}

interface Outcome {
  routes: Map<string, RouteStats>;
  paidRedirects: number;
  /** Sessions whose Pay form was sent, and those answered with the success redirect. */
  paySent: Set<string>;
  payConfirmed: Set<string>;
  buyAttempts: number;
  pairsExhausted: boolean;
  seconds: number;
  transportErrors: number;
}

/** Runs every family at once for `seconds`, timing each route from setupRequest to onResponse. */
async function runMix(
  ctx: BenchContext,
  baseUrl: string,
  world: World,
  seconds: number,
): Promise<Outcome> {
  const routes = new Map<string, RouteStats>();
  const record = (route: string, status: number, started: unknown) => {
    let stats = routes.get(route);
    if (stats === undefined) routes.set(route, (stats = { latencies: [], statuses: new Map() }));
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    if (typeof started === 'number') stats.latencies.push(performance.now() - started);
  };
  const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
  const bearer = (a: Account) => ({ authorization: `Bearer ${a.token}` });

  // Every pair not yet bought, shuffled: each buy in the run is a new purchase.
  const ownedKeys = new Set(world.owned.map((o) => `${o.buyer.userId}:${o.productId}`));
  const pairs = world.buyers
    .flatMap((buyer) => world.products.map((productId) => ({ buyer, productId })))
    .filter((p) => !ownedKeys.has(`${p.buyer.userId}:${p.productId}`))
    .sort(() => Math.random() - 0.5);
  let nextPair = 0;
  let paidRedirects = 0;
  let buyAttempts = 0;
  const paySent = new Set<string>();
  const payConfirmed = new Set<string>();

  const get = (route: string, path: () => string, headers: () => Record<string, string>) => ({
    method: 'GET',
    setupRequest: (req: { headers: Record<string, string> }, c: Record<string, unknown>) => {
      c.started = performance.now();
      return { ...req, method: 'GET', path: path(), headers: headers() };
    },
    onResponse: (status: number, _body: string, c: Record<string, unknown>) =>
      record(route, status, c.started),
  });

  const share = (n: number) => Math.max(1, Math.round((n * CONNECTIONS) / 100));
  const families: Family[] = [
    {
      name: 'catalogue',
      connections: share(25),
      requests: [
        get(
          'GET /products',
          () =>
            pick([
              '/products',
              '/products?sort=price_asc',
              '/products?q=presets&limit=10',
              `/products?creatorId=${pick(world.creators).userId}`,
            ]),
          () => ({}),
        ),
      ],
    },
    {
      name: 'product',
      connections: share(15),
      requests: [
        get(
          'GET /products/:id',
          () => `/products/${pick(world.products)}`,
          () => ({}),
        ),
      ],
    },
    {
      name: 'login',
      connections: share(5),
      requests: [
        {
          method: 'POST',
          setupRequest: (req, c) => {
            c.started = performance.now();
            const buyer = pick(world.buyers);
            return {
              ...req,
              method: 'POST',
              path: '/login',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email: buyer.email, password: buyer.password }),
            };
          },
          onResponse: (status, _body, c) => record('POST /login', status, c.started),
        },
      ],
    },
    {
      name: 'buy',
      connections: share(20),
      requests: [
        {
          method: 'POST',
          setupRequest: (req, c) => {
            c.started = performance.now();
            const pair = pairs[nextPair++] ?? pairs[pairs.length - 1];
            buyAttempts++;
            return {
              ...req,
              method: 'POST',
              path: `/purchase/${pair.productId}`,
              headers: { ...bearer(pair.buyer), 'content-type': 'application/json' },
              body: '{}',
            };
          },
          onResponse: (status, body, c) => {
            record('POST /purchase/:productId', status, c.started);
            c.sessionId =
              status === 201 ? (JSON.parse(body) as { sessionId: string }).sessionId : 'none';
          },
        },
        {
          method: 'POST',
          setupRequest: (req, c) => {
            c.started = performance.now();
            paySent.add(String(c.sessionId));
            return {
              ...req,
              method: 'POST',
              path: `/checkout/simulated/${String(c.sessionId)}/pay`,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: 'outcome=success',
            };
          },
          onResponse: (status, _body, c, headers) => {
            record('POST /checkout/simulated/:id/pay', status, c.started);
            if (status === 303 && !String(headers.location ?? '').includes('error=')) {
              paidRedirects++;
              payConfirmed.add(String(c.sessionId));
            }
          },
        },
      ],
    },
    {
      name: 'download',
      connections: share(15),
      requests: [
        (() => {
          let owner = world.owned[0];
          return get(
            'GET /download/:productId',
            () => {
              owner = pick(world.owned);
              return `/download/${owner.productId}`;
            },
            () => bearer(owner.buyer),
          );
        })(),
      ],
    },
    {
      name: 'library',
      connections: share(5),
      requests: [
        get(
          'GET /mypurchases',
          () => '/mypurchases',
          () => bearer(pick(world.buyers)),
        ),
      ],
    },
    {
      name: 'stats',
      connections: share(10),
      requests: [
        get(
          'GET /creator/stats',
          () => '/creator/stats',
          () => bearer(pick(world.creators)),
        ),
        get(
          'GET /creator/sales',
          () => '/creator/sales?limit=50',
          () => bearer(pick(world.creators)),
        ),
      ],
    },
  ];
  ctx.log(
    `running ${families.map((f) => `${f.name} x${f.connections}`).join(', ')} for ${seconds} s`,
  );
  const results = await Promise.all(
    families.map((family) =>
      autocannon({
        url: baseUrl,
        connections: family.connections,
        duration: seconds,
        timeout: 30,
        requests: family.requests,
      }),
    ),
  );
  return {
    routes,
    paidRedirects,
    paySent,
    payConfirmed,
    buyAttempts,
    pairsExhausted: nextPair > pairs.length,
    seconds,
    transportErrors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
  };
}

interface Check {
  paidPurchases: number;
  doubleLive: number;
  duplicateEvents: number;
  paidWithoutOneEvent: number;
  paidSessions: number;
  /** Paid checkouts whose purchase is not paid: money taken, nothing delivered. */
  paidSessionsUnfulfilled: number;
  /** Checkout session ids of the paid purchases. */
  paidSessionIds: Set<string>;
}

/** What the database says after the run: every purchase once, every event once. */
async function verify(databaseUrl: string): Promise<Check> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    // Requests cut off when the run stopped are still finishing on the server: wait until
    // purchases and payment events stop changing before counting them.
    let last = '';
    for (let i = 0; i < 60; i++) {
      const now = JSON.stringify(
        (
          await db.query(
            `SELECT (SELECT count(*) FROM purchases WHERE status = 'paid') AS paid,
                    (SELECT count(*) FROM payment_events) AS events,
                    (SELECT count(*) FROM simulated_checkout_sessions WHERE payment_status = 'paid') AS sessions`,
          )
        ).rows[0],
      );
      if (now === last) break;
      last = now;
      await new Promise((done) => setTimeout(done, 500));
    }
    const one = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0].n);
    return {
      paidPurchases: await one(`SELECT count(*) AS n FROM purchases WHERE status = 'paid'`),
      doubleLive: await one(
        `SELECT count(*) AS n FROM (SELECT buyer_id, product_id FROM purchases
         WHERE status IN ('pending', 'paid', 'disputed') GROUP BY 1, 2 HAVING count(*) > 1) d`,
      ),
      duplicateEvents: await one(
        `SELECT count(*) AS n FROM (SELECT provider, event_id FROM payment_events GROUP BY 1, 2 HAVING count(*) > 1) d`,
      ),
      paidWithoutOneEvent: await one(
        `SELECT count(*) AS n FROM purchases p WHERE p.status = 'paid' AND
           (SELECT count(*) FROM payment_events e
            WHERE e.purchase_id = p.id AND e.type = 'checkout.completed' AND e.processed_at IS NOT NULL) <> 1`,
      ),
      paidSessionIds: new Set(
        (
          await db.query<{ id: string }>(
            `SELECT provider_session_id AS id FROM purchases WHERE status = 'paid'`,
          )
        ).rows.map((r) => r.id),
      ),
      paidSessionsUnfulfilled: await one(
        `SELECT count(*) AS n FROM simulated_checkout_sessions s
         JOIN purchases p ON p.id = s.purchase_id
         WHERE s.payment_status = 'paid' AND p.status <> 'paid'`,
      ),
      paidSessions: await one(
        `SELECT count(*) AS n FROM simulated_checkout_sessions WHERE payment_status = 'paid'`,
      ),
    };
  } finally {
    await db.end();
  }
}

function report(
  ctx: BenchContext,
  label: string,
  outcome: Outcome,
  check: Check,
  prebought: number,
): BenchResult[] {
  const results: BenchResult[] = [];
  let total = 0;
  let failures = 0;
  for (const [route, stats] of [...outcome.routes.entries()].sort()) {
    const count = stats.latencies.length;
    const sorted = [...stats.latencies].sort((a, b) => a - b);
    const ok = [...stats.statuses.entries()]
      .filter(([status]) => status < 400)
      .reduce((sum, [, n]) => sum + n, 0);
    total += count;
    failures += count - ok;
    const statuses = [...stats.statuses.entries()].map(([s, n]) => `${s}:${n}`).join(' ');
    ctx.log(
      `${label} ${route.padEnd(34)} ${(count / outcome.seconds).toFixed(1).padStart(8)} req/s  p50 ${quantile(sorted, 0.5).toFixed(1)} ms  p99 ${quantile(sorted, 0.99).toFixed(1)} ms  [${statuses}]`,
    );
    results.push(
      { name: `${label} ${route} throughput`, value: count / outcome.seconds, unit: 'req/s' },
      { name: `${label} ${route} p50`, value: quantile(sorted, 0.5), unit: 'ms' },
      { name: `${label} ${route} p99`, value: quantile(sorted, 0.99), unit: 'ms' },
    );
  }
  const bought = check.paidPurchases - prebought;
  // Paid in the database but never sent by this run (beyond the purchases made in setup).
  const unexplained =
    [...check.paidSessionIds].filter((id) => !outcome.paySent.has(id)).length - prebought;
  // Answered with the success redirect, yet not paid in the database.
  const lost = [...outcome.payConfirmed].filter((id) => !check.paidSessionIds.has(id)).length;
  // Paid on the server, but the run ended before the answer was read.
  const cutOff = [...outcome.paySent].filter(
    (id) => check.paidSessionIds.has(id) && !outcome.payConfirmed.has(id),
  ).length;
  const lostOrDoubled =
    lost +
    Math.abs(unexplained) +
    check.paidSessionsUnfulfilled +
    check.doubleLive +
    check.duplicateEvents +
    check.paidWithoutOneEvent;
  ctx.log(
    `${label} total ${(total / outcome.seconds).toFixed(0)} req/s; error answers ${failures}, transport errors ${outcome.transportErrors}; ` +
      `paid redirects ${outcome.paidRedirects} + ${cutOff} paid as the run stopped = ${bought} new paid purchases ` +
      `(paid sessions ${check.paidSessions - prebought}, of which unfulfilled ${check.paidSessionsUnfulfilled}); lost ${lost}, paid without a Pay ${unexplained}, ` +
      `double live pairs ${check.doubleLive}, duplicate events ${check.duplicateEvents}, paid without exactly one event ${check.paidWithoutOneEvent}` +
      (outcome.pairsExhausted
        ? ' (ran out of unbought pairs: raise LOAD_PRODUCTS_PER_CREATOR)'
        : ''),
  );
  results.push(
    { name: `${label} all routes`, value: total / outcome.seconds, unit: 'req/s' },
    { name: `${label} error answers (4xx/5xx)`, value: failures, unit: '' },
    { name: `${label} transport errors`, value: outcome.transportErrors, unit: '' },
    { name: `${label} purchases paid in the run`, value: bought, unit: '' },
    { name: `${label} paid redirects`, value: outcome.paidRedirects, unit: '' },
    {
      name: `${label} lost or doubled purchases`,
      value: lostOrDoubled,
      unit: '',
    },
  );
  return results;
}

/** Round-robin TCP proxy: each new connection goes to the next backend. */
async function startProxy(backends: URL[]): Promise<{ url: string; server: Server }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = backends[next++ % backends.length];
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return { url: `http://127.0.0.1:${port}`, server };
}

async function oneRound(
  ctx: BenchContext,
  label: string,
  baseUrl: string,
  databaseUrl: string,
): Promise<BenchResult[]> {
  const world = await prepare(ctx, baseUrl);
  const outcome = await runMix(ctx, baseUrl, world, ctx.seconds);
  const check = await verify(databaseUrl);
  return report(ctx, label, outcome, check, world.owned.length);
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  if (ctx.database.kind !== 'server') {
    throw new Error('the load scenario needs the PostgreSQL server (pg_isready -h 127.0.0.1)');
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const run = { ...ctx, seconds };
  const env = { DB_POOL_SIZE: '20' };
  const results: BenchResult[] = [];

  const single: RunningServer = await startApp(run, env);
  try {
    results.push(...(await oneRound(run, '1 instance:', single.baseUrl, single.databaseUrl!)));
  } finally {
    await single.stop();
  }

  // Two processes on one database and one data directory, behind one port.
  const port = await freePort();
  const shared = {
    ...env,
    JWT_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  };
  const first = await startApp(run, shared);
  let second: RunningServer | undefined;
  let proxy: Server | undefined;
  try {
    second = await startApp(run, shared, {
      databaseUrl: first.databaseUrl!,
      dataDir: first.dataDir,
    });
    const started = await startProxy([new URL(first.baseUrl), new URL(second.baseUrl)]);
    proxy = started.server;
    results.push(...(await oneRound(run, '2 instances:', started.url, first.databaseUrl!)));
  } finally {
    proxy?.close();
    await second?.stop();
    await first.stop();
  }
  return results;
}
