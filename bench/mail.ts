import pg from 'pg';
import { purchaseReceipt } from '../src/mail/templates/messages.js';
import {
  type BenchContext,
  type BenchResult,
  compare,
  envNumber,
  load,
  type LoadResult,
  signUp,
  startApp,
  startSmtpSink,
  withServer,
} from './lib.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The app's own outbox worker (MAIL_WORKER=true in the app's process, its batch size and
 * concurrency as shipped) delivering to a local SMTP server in a child process. Messages are
 * queued with SQL, as receipts rendered by the app's template: the cause of a message does not
 * change how it is delivered, and 12,000 causes through the API would measure the API. First
 * `BENCH_MAIL_MESSAGES` (2,000): messages/s from the commit until the last one arrived. Then
 * `GET /health` and `GET /me` are probed at a steady rate with nothing queued, and again right
 * after `BENCH_MAIL_BACKLOG` (10,000) more were queued: the worker's claims, updates and SMTP
 * traffic share the process and the database pool with the API. Every message must arrive
 * once (distinct Message-IDs) and end `sent`.
 */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  if (ctx.database.kind !== 'server') {
    // Queuing thousands of messages needs SQL; the embedded database is the app's alone.
    ctx.log('skipped: queuing the messages needs a PostgreSQL server (BENCH_DATABASE_URL)');
    return [];
  }
  const messages = envNumber('BENCH_MAIL_MESSAGES', 2000);
  const backlog = envNumber('BENCH_MAIL_BACKLOG', 10_000);
  const probeRate = envNumber('BENCH_PROBE_RATE', 200);
  const sink = await startSmtpSink();
  try {
    return await withServer(
      startApp(ctx, { SMTP_URL: sink.smtpUrl, MAIL_FROM: 'Bench <bench@example.com>' }),
      async (app) => {
        const db = new pg.Client({ connectionString: app.databaseUrl });
        await db.connect();
        try {
          return await measure(ctx, { app, db, sink, messages, backlog, probeRate });
        } finally {
          await db.end();
        }
      },
    );
  } finally {
    await sink.stop();
  }
}

async function measure(
  ctx: BenchContext,
  {
    app,
    db,
    sink,
    messages,
    backlog,
    probeRate,
  }: {
    app: { baseUrl: string };
    db: pg.Client;
    sink: Awaited<ReturnType<typeof startSmtpSink>>;
    messages: number;
    backlog: number;
    probeRate: number;
  },
): Promise<BenchResult[]> {
  const buyer = await signUp(app.baseUrl, 'buyer');
  // The sign-up's verification email is the first message.
  await waitForArrivals(sink, 1, 30_000);
  let queued = 1;
  const mail = purchaseReceipt({
    productTitle: 'Benchmark <sample pack>',
    amountCents: 1500,
    currency: 'eur',
    purchaseId: '00000000-0000-4000-8000-000000000000',
    libraryLink: 'https://shop.example.com/app/library',
  });
  const enqueue = async (count: number, batch: string) => {
    await db.query(
      `INSERT INTO outbox (cause_key, recipient, subject, text_body, html_body)
       SELECT 'bench:' || $1 || ':' || i, 'buyer-' || i || '@bench.example', $3, $4, $5
       FROM generate_series(1, $2::int) AS i`,
      [batch, count, mail.subject, mail.text, mail.html],
    );
    queued += count;
  };

  const probe = () =>
    Promise.all([
      load(ctx, { url: `${app.baseUrl}/health`, connections: 10, overallRate: probeRate }),
      load(ctx, {
        url: `${app.baseUrl}/me`,
        headers: { Authorization: `Bearer ${buyer.token}` },
        connections: 10,
        overallRate: probeRate,
      }),
    ]);
  // First, on an idle worker: after the rate run, autovacuum of the outbox would fall on it.
  ctx.log(`probe GET /health and GET /me at ${probeRate} req/s each, nothing queued`);
  const [healthAlone, meAlone] = await probe();

  ctx.log(`${messages} messages queued at once; delivered/s until the last one arrives`);
  const first = queued + 1;
  await enqueue(messages, 'rate');
  const committed = Date.now();
  const rate = await waitForArrivals(sink, queued, 10 * 60_000, first);
  const ratePerSec = messages / ((rate.lastAt! - committed) / 1000);

  ctx.log(`${backlog} messages queued; the same probe while the worker drains them`);
  const before = await sink.stats();
  await enqueue(backlog, 'backlog');
  const backlogCommitted = Date.now();
  const [healthDuring, meDuring] = await probe();
  const pendingAfterProbe = await pending(db);
  if (pendingAfterProbe === 0) {
    throw new Error('the backlog was delivered before the probe ended: raise BENCH_MAIL_BACKLOG');
  }
  const drained = await waitForArrivals(sink, queued, 10 * 60_000);
  const backlogPerSec =
    (drained.received - before.received) / ((drained.lastAt! - backlogCommitted) / 1000);

  for (const [name, r] of Object.entries({ healthAlone, meAlone, healthDuring, meDuring })) {
    if (r.errors > 0 || r.non2xx > 0) {
      throw new Error(`${name}: ${r.errors} errors and ${r.non2xx} non-2xx answers`);
    }
  }
  // The worker marks a batch sent once the SMTP server took all of it: the last arrivals come
  // a moment before their rows say so.
  const deadline = Date.now() + 30_000;
  while ((await pending(db)) > 0 && Date.now() < deadline) await sleep(50);
  // Exactly once: as many arrivals as messages queued, each with its own Message-ID, all sent.
  const final = await sink.stats();
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM outbox GROUP BY status`,
  );
  if (
    final.received !== queued ||
    final.distinctIds !== queued ||
    rows.length !== 1 ||
    rows[0].status !== 'sent' ||
    rows[0].n !== queued
  ) {
    throw new Error(
      `${queued} queued, ${final.received} arrived with ${final.distinctIds} distinct ids; ` +
        `outbox: ${JSON.stringify(rows)}`,
    );
  }

  return [
    { name: `delivered/s (${messages}, from the commit)`, value: ratePerSec, unit: 'msg/s' },
    {
      name: `delivered/s (${messages}, first to last arrival)`,
      value: (messages - 1) / ((rate.lastAt! - rate.nthAt!) / 1000),
      unit: 'msg/s',
    },
    { name: `delivered/s (backlog of ${backlog}, probed)`, value: backlogPerSec, unit: 'msg/s' },
    ...probeRows('GET /health', healthAlone, healthDuring),
    ...probeRows('GET /me', meAlone, meDuring),
    { name: 'still queued when the probe ended', value: pendingAfterProbe, unit: 'messages' },
  ];
}

function probeRows(route: string, alone: LoadResult, during: LoadResult): BenchResult[] {
  return [
    compare(`${route} p50 during the backlog`, during.p50, 'ms', 'nothing queued', alone.p50),
    compare(`${route} p99 during the backlog`, during.p99, 'ms', 'nothing queued', alone.p99),
  ];
}

async function pending(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`,
  );
  return rows[0].n;
}

/** Polls the sink until `count` messages have arrived in all. */
async function waitForArrivals(
  sink: Awaited<ReturnType<typeof startSmtpSink>>,
  count: number,
  timeoutMs: number,
  nth = 0,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await sink.stats(nth);
    if (stats.received >= count) return stats;
    if (Date.now() > deadline) {
      throw new Error(
        `${stats.received} of ${count} messages arrived within ${timeoutMs / 1000} s`,
      );
    }
    await sleep(20);
  }
}
