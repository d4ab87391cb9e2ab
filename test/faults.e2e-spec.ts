import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AppConfig } from '../src/config/app-config.js';
import { LocalStorageDriver } from '../src/storage/drivers/local.driver.js';
import { StorageUnavailableException } from '../src/storage/storage.errors.js';
import {
  STORAGE,
  type PutObjectParams,
  type SignedUrl,
  type SignedUrlParams,
} from '../src/storage/storage.interface.js';
import { createProduct, registerBuyer, registerCreator } from './helpers/factories.js';
import { insertProduct } from './helpers/catalogue-factories.js';
import {
  randomStripeId,
  signWebhook,
  startFakeStripe,
  stripeEvents,
} from './helpers/fake-stripe.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { freePort } from './helpers/ports.js';
import { checkedFetch } from './helpers/openapi-validator.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';
import { countProducts, eventually, multipart, storedFiles } from './helpers/uploads.js';

const SERVER = process.env.TEST_DATABASE_URL ?? '';
const MAIN = resolve(import.meta.dirname, '../dist/src/main.js');
const describeWithServer = SERVER !== '' ? describe : describe.skip;

/** The app's own connections to its database, seen from an admin connection. */
async function appBackends(admin: pg.Client, database: string): Promise<number> {
  const rows = await admin.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  );
  return rows.rows[0].n;
}

async function terminateBackends(admin: pg.Client, database: string): Promise<number> {
  const rows = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  );
  return rows.rowCount ?? 0;
}

const databaseName = (url: string) => new URL(url).pathname.slice(1);

describe('faults: the database goes away', () => {
  describe('embedded or server: the database stops answering', () => {
    let t: TestApp;
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
      t = await createTestApp({}, db);
    });
    afterAll(async () => {
      await t.close();
      await db.drop().catch(() => undefined);
    });

    it('answers 503 SERVICE_UNAVAILABLE (never 500) while liveness stays up', async () => {
      const buyer = await registerBuyer(t.http);
      await t.http.get('/mypurchases').set(buyer.auth).expect(200);
      if (db.embedded) {
        await db.drop();
      } else {
        // Refuse new connections to this database and end the ones the app holds.
        const admin = new pg.Client({ connectionString: SERVER });
        await admin.connect();
        await admin.query(`ALTER DATABASE "${databaseName(db.url)}" ALLOW_CONNECTIONS false`);
        await terminateBackends(admin, databaseName(db.url));
        await admin.end();
      }
      for (const path of ['/mypurchases', '/me', '/products']) {
        const res = await t.http.get(path).set(buyer.auth);
        // The catalogue may still come from its short cache; anything else must be a clean 503.
        if (path === '/products' && res.status === 200) continue;
        expect({ path, status: res.status, body: res.body as unknown }).toEqual({
          path,
          status: 503,
          body: { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) },
        });
        expect(res.headers['retry-after']).toBe('1');
      }
      const login = await t.http
        .post('/login')
        .send({ email: buyer.email, password: buyer.password });
      expect(login.status).toBe(503);
      await t.http.get('/health').expect(200);
      await t.http.get('/health/ready').expect(503);
      if (!db.embedded) {
        const admin = new pg.Client({ connectionString: SERVER });
        await admin.connect();
        await admin.query(`ALTER DATABASE "${databaseName(db.url)}" ALLOW_CONNECTIONS true`);
        await admin.end();
        // Back again: the pool reconnects on the next requests.
        await eventually(async () => (await t.http.get('/me').set(buyer.auth)).status === 200);
        await t.http.get('/mypurchases').set(buyer.auth).expect(200);
      }
    });
  });

  describeWithServer(
    'PostgreSQL server: backends terminated mid-request (needs TEST_DATABASE_URL)',
    () => {
      let t: TestApp;
      let admin: pg.Client;
      let name: string;
      beforeAll(async () => {
        t = await createTestApp();
        name = databaseName(t.database.url);
        admin = new pg.Client({ connectionString: t.database.url });
        await admin.connect();
      });
      afterAll(async () => {
        await admin.end();
        await t.close();
      });

      it('answers 503 for the request whose connection died, writes nothing, and recovers', async () => {
        const creator = await registerCreator(t.http);
        const buyer = await registerBuyer(t.http);
        const product = await insertProduct(t.dataSource, creator.id);
        // Makes the purchase insert slow, so the termination lands inside its transaction.
        await admin.query(`
        CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$;
        CREATE TRIGGER slow_insert BEFORE INSERT ON purchases
        FOR EACH ROW EXECUTE FUNCTION slow_insert();`);
        const pending = t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
        const response = pending.then((res) => res);
        await eventually(async () => {
          const rows = await admin.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE 'INSERT INTO "purchases"%'`,
            [name],
          );
          return rows.rowCount === 1;
        }, 10_000);
        expect(await terminateBackends(admin, name)).toBeGreaterThan(0);
        const res = await response;
        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          statusCode: 503,
          code: 'SERVICE_UNAVAILABLE',
          message: expect.any(String),
        });
        await admin.query('DROP TRIGGER slow_insert ON purchases; DROP FUNCTION slow_insert();');
        // Nothing half-written: the transaction died with its connection.
        const count = async () =>
          (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM purchases')).rows[0].n;
        expect(await count()).toBe(0);

        // The pool drops the dead connections; the same request now goes through, once.
        await eventually(
          async () =>
            (await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({})).status === 201,
        );
        await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(201);
        expect(await count()).toBe(1);
      });

      it('recovers after every connection was terminated while idle, answering only 2xx or 503', async () => {
        const buyer = await registerBuyer(t.http);
        const statuses: number[] = [];
        for (let round = 0; round < 3; round += 1) {
          await Promise.all(
            Array.from({ length: 5 }, () => t.http.get('/mypurchases').set(buyer.auth)),
          );
          await terminateBackends(admin, name);
          for (let i = 0; i < 10; i += 1) {
            const res = await t.http.get('/mypurchases').set(buyer.auth);
            statuses.push(res.status);
            if (res.status !== 200)
              expect((res.body as { code: string }).code).toBe('SERVICE_UNAVAILABLE');
          }
        }
        expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
        // Whatever the first requests after a termination got, the last ones are served.
        expect(statuses.slice(-5)).toEqual([200, 200, 200, 200, 200]);
        expect(await appBackends(admin, name)).toBeGreaterThan(0);
      });
    },
  );
});

/**
 * A local driver whose puts fail after `failAfter` bytes while `failing` is on, and which cannot
 * sign links while `failingLinks` is on.
 */
class FlakyLocalDriver extends LocalStorageDriver {
  failing = true;
  failAfter = 64 * 1024;
  failingLinks = false;

  override signedDownloadUrl(params: SignedUrlParams): Promise<SignedUrl> {
    if (this.failingLinks) return Promise.reject(new StorageUnavailableException(503));
    return super.signedDownloadUrl(params);
  }

  override put(params: PutObjectParams): Promise<void> {
    if (!this.failing) return super.put(params);
    let seen = 0;
    const limit = this.failAfter;
    const breaker = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > limit) done(new Error('simulated storage failure halfway through'));
        else done(null, chunk);
      },
    });
    // put() awaits a mkdir before its pipeline listens, and on a busy machine the breaker can
    // fail in between: without a listener of its own, pipe() throws that error as unhandled.
    // The pipeline still sees it, since it reports a stream that was already destroyed.
    breaker.on('error', () => undefined);
    const body: Readable = params.body.pipe(breaker);
    params.body.on('error', (error) => breaker.destroy(error));
    return super.put({ ...params, body });
  }
}

describe('faults: storage fails mid-upload', () => {
  let t: TestApp;
  let driver: FlakyLocalDriver;
  beforeAll(async () => {
    t = await createTestApp({}, undefined, {
      overrides: (builder) =>
        builder.overrideProvider(STORAGE).useFactory({
          inject: [AppConfig],
          factory: (config: AppConfig) =>
            new FlakyLocalDriver({
              root: join(config.dataDir, 'storage'),
              publicUrl: config.publicUrl,
              linkSecret: config.storage.linkSecret,
            }),
        }),
    });
    driver = t.app.get(STORAGE);
  });
  afterAll(async () => {
    await t.close();
  });

  const bigPdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(512 * 1024)]);

  it('an upload answers 503 STORAGE_ERROR and leaves no row and no partial object', async () => {
    const creator = await registerCreator(t.http);
    driver.failing = true;
    const { body, contentType } = multipart([
      { name: 'title', value: 'Half a file' },
      { name: 'priceCents', value: '900' },
      { name: 'file', filename: 'big.pdf', content: bigPdf(), contentType: 'application/pdf' },
    ]);
    const res = await t.http
      .post('/creator/upload')
      .set(creator.auth)
      .set('Content-Type', contentType)
      .send(body);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      statusCode: 503,
      code: 'STORAGE_ERROR',
      message: expect.any(String),
    });
    expect(await countProducts(t)).toBe(0);
    await eventually(() => storedFiles(t).length === 0);

    // Storage back: the same upload works.
    driver.failing = false;
    await createProduct(t.http, creator, { content: bigPdf() });
    expect(await countProducts(t)).toBe(1);
    expect(storedFiles(t)).toHaveLength(1);
  });

  it('a file replacement answers 503 and keeps the product and its old file as they were', async () => {
    const creator = await registerCreator(t.http);
    driver.failing = false;
    const product = await createProduct(t.http, creator, { content: bigPdf() });
    const filesBefore = storedFiles(t);
    driver.failing = true;
    const { body, contentType } = multipart([
      { name: 'file', filename: 'v2.pdf', content: bigPdf(), contentType: 'application/pdf' },
    ]);
    const res = await t.http
      .put(`/creator/products/${product.id}/file`)
      .set(creator.auth)
      .set('Content-Type', contentType)
      .send(body);
    expect(res.status).toBe(503);
    expect((res.body as { code: string }).code).toBe('STORAGE_ERROR');
    const after = await t.http.get(`/creator/products/${product.id}`).set(creator.auth).expect(200);
    expect(after.body).toMatchObject({ version: 1, sha256: product.sha256, size: product.size });
    await eventually(() => JSON.stringify(storedFiles(t)) === JSON.stringify(filesBefore));
    driver.failing = false;
  });

  it('a link the storage cannot sign answers 503 and logs no download', async () => {
    driver.failing = false;
    const creator = await registerCreator(t.http);
    const product = await createProduct(t.http, creator, { content: bigPdf() });
    const logged = async () =>
      (
        await t.dataSource.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM downloads WHERE product_id = $1',
          [product.id],
        )
      )[0].n;
    driver.failingLinks = true;
    const res = await t.http.get(`/download/${product.id}`).set(creator.auth);
    expect(res.status).toBe(503);
    expect((res.body as { code: string }).code).toBe('STORAGE_ERROR');
    expect(await logged()).toBe(0);
    driver.failingLinks = false;
    await t.http.get(`/download/${product.id}`).set(creator.auth).expect(200);
    expect(await logged()).toBe(1);
  });
});

describe('faults: the payment provider times out during checkout', () => {
  let t: TestApp;
  let fake: Awaited<ReturnType<typeof startFakeStripe>>;
  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp({
      PAYMENTS_DRIVER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_faults',
      STRIPE_WEBHOOK_SECRET: 'whsec_faults',
      STRIPE_API_BASE: fake.url,
      STRIPE_TIMEOUT_MS: '300',
      STRIPE_MAX_NETWORK_RETRIES: '1',
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('answers 502 PAYMENT_PROVIDER_ERROR, and the purchase stays retryable (one purchase)', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, creator.id, { priceCents: 2000 });
    fake.setMode('hang');
    const failed = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
    expect(failed.status).toBe(502);
    expect(failed.body).toEqual({
      statusCode: 502,
      code: 'PAYMENT_PROVIDER_ERROR',
      message: expect.any(String),
    });
    // The SDK tried, then retried once, within the configured timeout.
    expect(fake.requests.filter((r) => r.path === '/v1/checkout/sessions')).toHaveLength(2);
    const rows = async () =>
      t.dataSource.query<{ id: string; status: string; provider_session_id: string | null }[]>(
        'SELECT id, status, provider_session_id FROM purchases',
      );
    expect(await rows()).toEqual([
      expect.objectContaining({ status: 'pending', provider_session_id: null }),
    ]);

    fake.setMode('error');
    await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(502);

    fake.setMode('ok');
    const retried = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
    expect(retried.status).toBe(201);
    const [purchase] = await rows();
    expect(retried.body).toMatchObject({
      purchaseId: purchase.id,
      status: 'pending',
      sessionId: expect.stringMatching(/^cs_/),
      checkoutUrl: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
    });
    expect(await rows()).toHaveLength(1);
    expect(purchase.provider_session_id).toBe((retried.body as { sessionId: string }).sessionId);
  });
});

// --- SIGKILL while a webhook is being processed ---

interface Child {
  baseUrl: string;
  child: ChildProcess;
  output: () => string;
}

async function startBuiltApp(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN], {
    cwd: env.DATA_DIR,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      LOG_LEVEL: 'warn',
      BCRYPT_COST: '4',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited: ${tail}`);
    try {
      if ((await checkedFetch(`${baseUrl}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the app did not start: ${tail}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return { baseUrl, child, output: () => tail };
}

async function stopBuiltApp(app: Child | undefined): Promise<void> {
  if (app === undefined || app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((done) => app.child.once('exit', done));
  app.child.kill('SIGTERM');
  await exited;
}

const describeKill = SERVER !== '' && existsSync(MAIN) ? describe : describe.skip;
if (SERVER === '' || !existsSync(MAIN)) {
  console.warn(
    `faults: SIGKILL during a webhook skipped: it needs ${SERVER === '' ? 'TEST_DATABASE_URL (a PostgreSQL server that outlives the killed app and rolls back its transaction)' : ''}${SERVER === '' && !existsSync(MAIN) ? ' and ' : ''}${existsSync(MAIN) ? '' : 'the built app (npm run build: dist/src/main.js)'}`,
  );
}

describeKill('faults: the process is killed with SIGKILL while processing a webhook', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let fake: Awaited<ReturnType<typeof startFakeStripe>>;
  let app: Child | undefined;
  let dataDir: string;
  const secret = 'whsec_sigkill_test';
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    fake = await startFakeStripe();
    dataDir = mkdtempSync(join(tmpdir(), 'creator-files-kill-'));
    env = {
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      PAYMENTS_DRIVER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_sigkill',
      STRIPE_WEBHOOK_SECRET: secret,
      STRIPE_API_BASE: fake.url,
    };
  });
  afterAll(async () => {
    await stopBuiltApp(app);
    await admin.end();
    await fake.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the redelivered event completes the purchase once, and is recorded once', async () => {
    app = await startBuiltApp(env);
    const post = (path: string, body: object, token?: string) =>
      checkedFetch(`${app!.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const register = async (role: string) =>
      (await (
        await post(`/register/${role}`, {
          email: `${role}-${randomBytes(4).toString('hex')}@example.com`,
          password: 'correct horse battery',
        })
      ).json()) as { access_token: string; user: { id: string } };
    const creator = await register('creator');
    const buyer = await register('buyer');
    const form = new FormData();
    form.append('title', 'Killed mid-webhook');
    form.append('priceCents', '1500');
    form.append('file', new Blob(['%PDF-1.7\nkill\n%%EOF\n']), 'kill.pdf');
    const uploaded = await checkedFetch(`${app.baseUrl}/creator/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creator.access_token}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const productId = ((await uploaded.json()) as { id: string }).id;
    const started = await post(`/purchase/${productId}`, {}, buyer.access_token);
    expect(started.status).toBe(201);
    const { purchaseId, sessionId } = (await started.json()) as {
      purchaseId: string;
      sessionId: string;
    };

    const session = fake.completeSession(sessionId);
    const event = stripeEvents.checkoutCompleted({
      ...session,
      payment_intent: randomStripeId('pi'),
    });
    const signed = signWebhook(event, secret);
    const deliver = (baseUrl: string) =>
      checkedFetch(`${baseUrl}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signed.signature },
        body: signed.body,
      });

    // Slow the purchase update down so the kill lands inside the webhook's transaction.
    await admin.query(`
      CREATE FUNCTION slow_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$;
      CREATE TRIGGER slow_update BEFORE UPDATE ON purchases
      FOR EACH ROW EXECUTE FUNCTION slow_update();`);
    const inFlight = deliver(app.baseUrl).then(
      (res) => res.status,
      () => 'connection lost',
    );
    await eventually(async () => {
      const rows = await admin.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'active' AND query ILIKE 'UPDATE "purchases"%'`,
        [databaseName(db.url)],
      );
      return rows.rowCount === 1;
    }, 15_000);
    // The event row is written but not committed when the process dies.
    app.child.kill('SIGKILL');
    await new Promise((done) => app!.child.once('exit', done));
    expect(await inFlight).toBe('connection lost');

    // PostgreSQL notices the dead client only when it next talks to it; end the orphaned
    // backend at once (as TCP keepalive or client_connection_check_interval would).
    await terminateBackends(admin, databaseName(db.url));
    await admin.query('DROP TRIGGER slow_update ON purchases; DROP FUNCTION slow_update();');
    const state = async () =>
      (
        await admin.query<{ status: string; paid_at: Date | null; events: number }>(
          `SELECT p.status, p.paid_at,
                  (SELECT count(*)::int FROM payment_events e WHERE e.event_id = $2) AS events
           FROM purchases p WHERE p.id = $1`,
          [purchaseId, event.id],
        )
      ).rows[0];
    expect(await state()).toEqual({ status: 'pending', paid_at: null, events: 0 });

    // Stripe redelivers; a restarted app completes it, and a second copy changes nothing.
    app = await startBuiltApp(env);
    const first = await deliver(app.baseUrl);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: 'applied' });
    const again = await deliver(app.baseUrl);
    expect(await again.json()).toEqual({ received: true, outcome: 'duplicate' });
    const after = await state();
    expect(after).toEqual({ status: 'paid', paid_at: expect.any(Date), events: 1 });
    const purchases = await admin.query('SELECT id FROM purchases');
    expect(purchases.rowCount).toBe(1);
  });
});
