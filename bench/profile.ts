// Profiles the app under one kind of load:
// node dist/bench/profile.js <health|catalogue|download|webhooks>
// Writes the CPU profile to bench/results/profiles and prints its top functions. `webhooks`
// (server database only) drives only verified events, each fulfilling a seeded pending
// purchase, and also prints the CPU time per event of the app and of its database backends.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  buyProduct,
  chooseDatabase,
  cpuSeconds,
  createProduct,
  envNumber,
  load,
  ROOT,
  signUp,
  startApp,
  withServer,
} from './lib.js';
import { completedEvent, seedPendingPurchases, sign, STRIPE_ENV } from './webhooks.js';

const kind = process.argv[2] ?? 'health';
const dir = join(ROOT, 'bench/results/profiles');
process.env.BENCH_PROFILE = dir;
const ctx = {
  seconds: envNumber('BENCH_SECONDS', 10),
  warmupSeconds: 2,
  connections: envNumber('BENCH_CONNECTIONS', 50),
  database: chooseDatabase(),
  log: (message: string) => console.error(message),
};
const before = new Set(readdirSync(dir, { withFileTypes: false }).map(String));

/** CPU seconds used so far by the server backends connected to `db`'s database. */
async function backendCpuSeconds(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  return rows.reduce((sum, row) => sum + (cpuSeconds(row.pid) ?? 0), 0);
}

async function webhooks(app: { baseUrl: string; pid: number; databaseUrl?: string }) {
  if (app.databaseUrl === undefined) throw new Error('webhooks: needs the server database');
  const db = await seedPendingPurchases(
    app.databaseUrl,
    envNumber('BENCH_WEBHOOK_PURCHASES', 20_000),
  );
  let next = 0;
  const drive = (duration: number) =>
    autocannon({
      url: `${app.baseUrl}/webhooks/stripe`,
      connections: ctx.connections,
      duration,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const body = completedEvent(`cs_seeded_${next++}`);
            const headers = { 'content-type': 'application/json', 'stripe-signature': sign(body) };
            return { ...request, headers, body };
          },
        },
      ],
    });
  try {
    await drive(ctx.warmupSeconds);
    // Backends of the pool stay connected between the runs (idle ones close after 10 s).
    const [app0, db0] = [cpuSeconds(app.pid) ?? 0, await backendCpuSeconds(db)];
    const result = await drive(ctx.seconds);
    const [app1, db1] = [cpuSeconds(app.pid) ?? 0, await backendCpuSeconds(db)];
    const events = result.requests.total;
    const ms = (seconds: number) => ((seconds * 1000) / events).toFixed(2);
    console.error(
      `webhooks: ${Math.round(result.requests.average)} events/s, ${result.non2xx} non-2xx; ` +
        `CPU per event: app ${ms(app1 - app0)} ms, database backends ${ms(db1 - db0)} ms`,
    );
  } finally {
    await db.end();
  }
}

await withServer(startApp(ctx, kind === 'webhooks' ? STRIPE_ENV : {}), async (app) => {
  if (kind === 'webhooks') return webhooks(app);
  let url = `${app.baseUrl}/health`;
  let headers: Record<string, string> | undefined;
  if (kind === 'catalogue') {
    const creator = await signUp(app.baseUrl, 'creator');
    for (let i = 0; i < 25; i += 1) await createProduct(app.baseUrl, creator.token, { size: 1024 });
    url = `${app.baseUrl}/products?limit=20`;
  } else if (kind === 'download') {
    const creator = await signUp(app.baseUrl, 'creator');
    const buyer = await signUp(app.baseUrl, 'buyer');
    const id = await createProduct(app.baseUrl, creator.token, { size: 1024 });
    await buyProduct(app.baseUrl, buyer.token, id);
    url = `${app.baseUrl}/download/${id}`;
    headers = { Authorization: `Bearer ${buyer.token}` };
  }
  const result = await load(ctx, { url, headers });
  console.error(`${kind}: ${Math.round(result.requestsPerSec)} req/s, ${result.non2xx} non-2xx`);
});
const file = readdirSync(dir).find((name) => !before.has(name));
if (file) {
  console.log(
    execFileSync(process.execPath, [
      join(ROOT, 'dist/bench/profile-top.js'),
      join(dir, file),
      '30',
    ]).toString(),
  );
}
