import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { DomainException } from '../src/common/domain.exception.js';
import { ProductsService } from '../src/products/products.service.js';
import { UsersService } from '../src/users/users.service.js';
import {
  DEMO_ACCOUNTS,
  DEMO_PRODUCTS,
  formatSummary,
  runSeed,
  type SeedSummary,
  seedDemo,
  seedRefusal,
} from '../scripts/seed-demo.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';
import { storedFiles } from './helpers/uploads.js';

const login = async (t: TestApp, email: string, password: string) => {
  const res = await t.http.post('/login').send({ email, password }).expect(200);
  return { Authorization: `Bearer ${(res.body as { access_token: string }).access_token}` };
};

const count = async (t: TestApp, sql: string): Promise<number> => {
  const rows: { n: number }[] = await t.dataSource.query(sql);
  return rows[0].n;
};

describe('npm run seed (demo data)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let first: SeedSummary;
  let second: SeedSummary;
  let t: TestApp;
  // The seed's DATA_DIR, which the test app shares (its own temporary one stays empty).
  const seededFiles = () => storedFiles({ ...t, dataDir });

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'creator-files-seed-'));
    env = {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      DB_POOL_SIZE: '1',
      JWT_SECRET: randomBytes(32).toString('hex'),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'silent',
    };
    // On a server, the first run boots its own app as `npm run seed` does. The embedded
    // database takes one connection, and its slot frees a moment after a pool closes, so there
    // both runs use the test app's context instead.
    if (!database.embedded) first = await runSeed(loadConfig(env));
    // The API over the same database and files, to see the seed as a user would.
    t = await createTestApp(env, database);
    if (database.embedded) first = await seedDemo(t.app);
    second = await seedDemo(t.app);
  });

  afterAll(async () => {
    await t?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the accounts, products and paid purchases once', () => {
    expect(first.accounts.map((a) => a.created)).toEqual([true, true, true]);
    expect(first.products).toHaveLength(DEMO_PRODUCTS.length);
    expect(first.products.every((p) => p.created)).toBe(true);
    expect(first.purchases).toHaveLength(4);
    expect(first.purchases.every((p) => p.created)).toBe(true);
    expect(first.notes).toEqual([]);
  });

  it('changes nothing when run again', async () => {
    expect(second.accounts.some((a) => a.created)).toBe(false);
    expect(second.products.some((p) => p.created)).toBe(false);
    expect(second.purchases.some((p) => p.created)).toBe(false);
    expect(second.products.map((p) => p.id)).toEqual(first.products.map((p) => p.id));

    expect(await count(t, 'SELECT count(*)::int AS n FROM users')).toBe(3);
    expect(await count(t, 'SELECT count(*)::int AS n FROM products')).toBe(6);
    expect(await count(t, 'SELECT count(*)::int AS n FROM purchases')).toBe(4);
    expect(await count(t, `SELECT count(*)::int AS n FROM purchases WHERE status = 'paid'`)).toBe(
      4,
    );
    // Three paid checkouts, one free product: one simulated session and one event each.
    expect(await count(t, 'SELECT count(*)::int AS n FROM simulated_checkout_sessions')).toBe(3);
    expect(await count(t, 'SELECT count(*)::int AS n FROM payment_events')).toBe(3);
    // One stored object per product: nothing left over from the second run.
    expect(seededFiles()).toHaveLength(6);
  });

  it('prints every credential, marked as demo-only', () => {
    const text = formatSummary(first);
    expect(text).toContain('DEMO-ONLY');
    for (const account of DEMO_ACCOUNTS) {
      expect(text).toContain(account.email);
      expect(text).toContain(account.password);
    }
  });

  it('lets the demo accounts sign in, and the catalogue shows the six products', async () => {
    const creator = DEMO_ACCOUNTS.find((a) => a.key === 'creator')!;
    const mine = await t.http
      .get('/creator/products')
      .set(await login(t, creator.email, creator.password))
      .expect(200);
    expect(mine.body.items).toHaveLength(6);
    const catalogue = await t.http.get('/products').expect(200);
    const byTitle = new Map<string, { priceCents: number; currency: string; contentType: string }>(
      catalogue.body.items.map((p: { title: string }) => [p.title, p]),
    );
    expect(byTitle.size).toBe(6);
    expect(byTitle.get('Freelance Budget Planner')).toMatchObject({
      currency: 'eur',
      priceCents: 700,
    });
    expect(byTitle.get('Colour Palette Cheat Sheet')).toMatchObject({ priceCents: 0 });
    expect(byTitle.get('The Small Studio Handbook')?.contentType).toBe('application/pdf');
    expect(byTitle.get('Autumn Film Presets')?.contentType).toBe('application/zip');
    expect(byTitle.get('Redacted Mono (font)')?.contentType).toBe('font/ttf');
    expect(byTitle.get('Lo-fi Drum Loop, 90 BPM')?.contentType).toMatch(/^audio\/(wav|x-wav)$/);
  });

  it('gives Ada her two purchases, downloadable with the bytes the seed generated', async () => {
    const ada = DEMO_ACCOUNTS.find((a) => a.key === 'ada')!;
    const auth = await login(t, ada.email, ada.password);
    const library = await t.http.get('/mypurchases').set(auth).expect(200);
    const titles = library.body.items.map((i: { product: { title: string } }) => i.product.title);
    expect(titles.sort()).toEqual(['Autumn Film Presets', 'The Small Studio Handbook']);
    expect(library.body.items.every((i: { hasAccess: boolean }) => i.hasAccess)).toBe(true);

    const book = library.body.items.find(
      (i: { product: { title: string } }) => i.product.title === 'The Small Studio Handbook',
    );
    const link = await t.http.get(`/download/${book.product.id}`).set(auth).expect(200);
    const file = await t.http
      .get(new URL(link.body.url as string).pathname)
      .buffer(true)
      .parse((res, done: (err: Error | null, body: Buffer) => void) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(file.status).toBe(200);
    const bytes = file.body as Buffer;
    const expected = DEMO_PRODUCTS.find((p) => p.title === 'The Small Studio Handbook')!.content();
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update(expected).digest('hex'),
    );
  });

  it('has no purchases for Grace beyond her two, so a walkthrough can buy the rest', async () => {
    const grace = DEMO_ACCOUNTS.find((a) => a.key === 'grace')!;
    const auth = await login(t, grace.email, grace.password);
    const library = await t.http.get('/mypurchases').set(auth).expect(200);
    expect(library.body.items).toHaveLength(2);
    const loop = first.products.find((p) => p.title === 'Lo-fi Drum Loop, 90 BPM')!;
    const checkout = await t.http.post(`/purchase/${loop.id}`).set(auth).send({}).expect(201);
    expect(checkout.body.checkoutUrl).toContain('/checkout/simulated/');
  });

  it("answers Swagger UI's examples as they are: POST /login signs in, POST /purchase starts a checkout", async () => {
    // What "Try it out" pre-fills, from the document the app serves (on this test's own port).
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const loginSchema = doc.components.schemas.LoginDto.properties;
    const example = { email: loginSchema.email.example, password: loginSchema.password.example };
    const creator = DEMO_ACCOUNTS.find((a) => a.key === 'creator')!;
    expect(example).toEqual({ email: creator.email, password: creator.password });
    await t.http.post('/login').send(example).expect(200);

    const purchaseBody =
      doc.paths['/purchase/{productId}'].post.requestBody.content['application/json'];
    const prefilled = Object.values(purchaseBody.examples as Record<string, { value: unknown }>)[0];
    const grace = DEMO_ACCOUNTS.find((a) => a.key === 'grace')!;
    const font = first.products.find((p) => p.title === 'Redacted Mono (font)')!;
    const checkout = await t.http
      .post(`/purchase/${font.id}`)
      .set(await login(t, grace.email, grace.password))
      .send(prefilled.value as object)
      .expect(201);
    expect(checkout.body.checkoutUrl).toContain('/checkout/simulated/');

    for (const path of ['/creator/stats', '/creator/sales']) {
      const tz = doc.paths[path].get.parameters.find((p: { name: string }) => p.name === 'tz');
      expect(tz.schema).toMatchObject({ default: 'UTC' });
      expect(tz.example ?? tz.schema.example).toBe('UTC');
    }
  });

  describe('ProductsService.create (the seed path) refuses what an upload refuses', () => {
    const creatorOf = async () =>
      (await t.app.get(UsersService).findByEmail('demo-creator@example.com'))!;
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainException);
      const { code } = error as DomainException;
      return { statusCode: (error as DomainException).getStatus(), code };
    };

    it.each([
      [
        'a file type outside the allowed list',
        { title: 'x', priceCents: '100' },
        'run.exe',
        Buffer.from('hi'),
        415,
        'UNSUPPORTED_FILE_TYPE',
      ],
      [
        'a program named as a PDF',
        { title: 'x', priceCents: '100' },
        'book.pdf',
        Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]),
        415,
        'UNSUPPORTED_FILE_TYPE',
      ],
      [
        'a bad price',
        { title: 'x', priceCents: '12.5' },
        'book.pdf',
        Buffer.from('%PDF-1.4\n'),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a currency outside the allowed list',
        { title: 'x', priceCents: '100', currency: 'xxx' },
        'book.pdf',
        Buffer.from('%PDF-1.4\n'),
        400,
        'CURRENCY_NOT_ALLOWED',
      ],
      [
        'an empty file',
        { title: 'x', priceCents: '100' },
        'book.pdf',
        Buffer.alloc(0),
        400,
        'FILE_REQUIRED',
      ],
    ])('%s, leaving no row and no file', async (_case, fields, name, content, status, code) => {
      const before = seededFiles();
      const products = await count(t, 'SELECT count(*)::int AS n FROM products');
      const body = await refusal(
        t.app
          .get(ProductsService)
          .create(await creatorOf(), fields, { name, body: Readable.from([content]) }),
      );
      expect(body).toMatchObject({ statusCode: status, code });
      expect(await count(t, 'SELECT count(*)::int AS n FROM products')).toBe(products);
      expect(seededFiles()).toEqual(before);
    });
  });
});

describe('npm run seed with Stripe configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Nothing listens there: a call to Stripe would fail the seed.
    t = await createTestApp({
      STRIPE_SECRET_KEY: 'sk_test_seed',
      STRIPE_API_BASE: 'http://127.0.0.1:9',
    });
  });
  afterAll(() => t?.close());

  it('makes only the free purchase, and says why the others are missing', async () => {
    const summary = await seedDemo(t.app);
    expect(summary.purchases).toEqual([
      { buyer: 'demo-grace@example.com', title: 'Colour Palette Cheat Sheet', created: true },
    ]);
    expect(summary.notes).toHaveLength(3);
    expect(summary.notes[0]).toContain('simulated');
    const rows: { status: string; provider: string }[] = await t.dataSource.query(
      'SELECT status, provider FROM purchases',
    );
    expect(rows).toEqual([{ status: 'paid', provider: 'free' }]);
  });
});

describe('seed refusals', () => {
  const production = (extra: Record<string, string> = {}): AppConfig =>
    loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: tmpdir(),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ALLOW_SIMULATED_PAYMENTS: 'true',
      ...extra,
    });

  it('refuses NODE_ENV=production without --force', () => {
    expect(seedRefusal(production(), [])).toMatch(/production.*--force/s);
    expect(seedRefusal(production(), ['--force'])).toBeUndefined();
    const development = loadConfig({
      NODE_ENV: 'development',
      DATA_DIR: tmpdir(),
      JWT_SECRET: randomBytes(32).toString('hex'),
    });
    expect(seedRefusal(development, [])).toBeUndefined();
  });
});
