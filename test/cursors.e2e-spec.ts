import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import { insertProducts, insertPurchases } from './helpers/stats-factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
const ID = '3f1c2a4e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const TIME = '2026-02-28T10:00:00.000000Z';

// Cursors that decode, have the right number of fields, and hold something a column cannot
// take: each reached PostgreSQL (22003, 22007, 22008) and answered 500 before.
const BAD_TIMES = [
  '2026-02-30T10:00:00.000000Z',
  '2025-02-29T10:00:00.000Z',
  '2026-13-01T10:00:00.000000Z',
  '2026-01-01T24:00:00.000000Z',
  '2026-01-01T10:60:00.000000Z',
  '0000-01-01T10:00:00.000000Z',
  '12345',
  '2026-01-01',
  12345,
  null,
];

describe('cursors are validated completely before SQL', () => {
  let t: TestApp;
  let creator: Account;
  let buyer: Account;

  beforeAll(async () => {
    t = await createTestApp();
    creator = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  async function expect400(
    path: string,
    who: Account | null,
    value: string,
    extra: Record<string, string> = {},
  ) {
    let req = t.http.get(path).query({ ...extra, cursor: value });
    if (who !== null) req = req.set(who.auth);
    const res = await req;
    expect({
      path,
      cursor: Buffer.from(value, 'base64url').toString(),
      status: res.status,
    }).toEqual({ path, cursor: Buffer.from(value, 'base64url').toString(), status: 400 });
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  }

  it('GET /products: prices out of range, impossible times, for every sort', async () => {
    for (const sort of ['price_asc', 'price_desc']) {
      for (const price of [9007199254740991, 2147483648, 100_000_000, -1, 1.5, '100', null]) {
        await expect400('/products', null, cursor([sort, price, ID]), { sort });
      }
    }
    for (const time of BAD_TIMES) {
      await expect400('/products', null, cursor(['newest', time, ID]));
    }
    await expect400('/products', null, cursor(['newest', TIME, 'not-a-uuid']));
    await expect400('/products', null, cursor(['price_asc', 100, ID]));
    // A valid cursor of each kind still works.
    await t.http
      .get('/products')
      .query({ sort: 'price_asc', cursor: cursor(['price_asc', 100, ID]) })
      .expect(200);
    await t.http
      .get('/products')
      .query({ cursor: cursor(['newest', TIME, ID]) })
      .expect(200);
  });

  it('GET /creator/products, /creator/sales (JSON and CSV), /mypurchases: impossible times', async () => {
    for (const time of BAD_TIMES) {
      await expect400('/creator/products', creator, cursor(['newest', time, ID]));
      await expect400('/creator/sales', creator, cursor([time, ID]));
      await expect400('/creator/sales', creator, cursor([time, ID]), { format: 'csv' });
      await expect400('/mypurchases', buyer, cursor([time, ID]));
    }
    await t.http
      .get('/creator/products')
      .set(creator.auth)
      .query({ cursor: cursor(['newest', TIME, ID]) })
      .expect(200);
    await t.http
      .get('/creator/sales')
      .set(creator.auth)
      .query({ cursor: cursor([TIME, ID]) })
      .expect(200);
    await t.http
      .get('/mypurchases')
      .set(buyer.auth)
      .query({ cursor: cursor(['2026-02-28T10:00:00.000Z', ID]) })
      .expect(200);
  });

  it('refuses a field of the wrong type, a missing or an extra field, field by field', async () => {
    const valid: Record<string, [string, Account | null, unknown[]]> = {
      products: ['/products', null, ['newest', TIME, ID]],
      creatorProducts: ['/creator/products', creator, ['newest', TIME, ID]],
      sales: ['/creator/sales', creator, [TIME, ID]],
      library: ['/mypurchases', buyer, ['2026-02-28T10:00:00.000Z', ID]],
    };
    for (const [path, who, values] of Object.values(valid)) {
      for (let i = 0; i < values.length; i++) {
        for (const other of [null, 0, true, [], {}, '', 'x'.repeat(40)]) {
          const mutated = [...values];
          mutated[i] = other;
          await expect400(path, who, cursor(mutated));
        }
      }
      await expect400(path, who, cursor(values.slice(0, -1)));
      await expect400(path, who, cursor([...values, 1]));
    }
  });

  it('pages rows of one millisecond, apart by microseconds, each exactly once on every list', async () => {
    // Five products and five sales in the same millisecond, 1 µs apart (a JS Date cannot tell
    // them apart), and an id order unlike the time order, so a cursor that lost the microseconds
    // skips or repeats rows.
    const seller = await registerCreator(t.http);
    const customer = await registerBuyer(t.http);
    const times = [5, 1, 4, 2, 3].map(
      (us) => `2026-03-01T12:00:00.123${String(us).padStart(3, '0')}Z`,
    );
    const products = await insertProducts(
      t.dataSource,
      times.map(() => ({ creatorId: seller.id, title: 'Same millisecond' })),
    );
    await t.dataSource.query(
      `UPDATE products SET created_at = x.at::timestamptz
       FROM unnest($1::uuid[], $2::text[]) AS x(id, at) WHERE products.id = x.id`,
      [products, times],
    );
    const purchases = await insertPurchases(
      t.dataSource,
      products.map((productId, i) => ({
        buyerId: customer.id,
        productId,
        amountCents: 1000,
        currency: 'usd',
        status: 'paid' as const,
        paidAt: times[i],
      })),
    );
    expect(purchases).toHaveLength(times.length);

    /** Every id of a list, read one item a page. */
    async function walk(path: string, who: Account | null, idOf: (item: never) => string) {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        let req = t.http.get(path).query({ limit: 1, ...(cursor ? { cursor } : {}) });
        if (who !== null) req = req.set(who.auth);
        const res = await req.expect(200);
        ids.push(...(res.body.items as never[]).map(idOf));
        cursor = res.body.nextCursor ?? undefined;
        if (cursor === undefined) return ids;
      }
      throw new Error(`${path} did not end`);
    }
    // Newest first: the time order, whatever the id order.
    const byTime = (ids: string[]) =>
      ids.map((id, i) => ({ id, at: times[i] })).sort((a, b) => (a.at < b.at ? 1 : -1));
    const newestProducts = byTime(products).map((p) => p.id);
    const newestPurchases = byTime(purchases.map((p) => p.id)).map((p) => p.id);

    const catalogue = await walk(
      `/products?creatorId=${seller.id}`,
      null,
      (p: { id: string }) => p.id,
    );
    expect(catalogue).toEqual(newestProducts);
    const own = await walk('/creator/products', seller, (p: { id: string }) => p.id);
    expect(own).toEqual(newestProducts);
    const sales = await walk('/creator/sales', seller, (s: { purchaseId: string }) => s.purchaseId);
    expect(sales).toEqual(newestPurchases);
    const library = await walk(
      '/mypurchases',
      customer,
      (l: { purchaseId: string }) => l.purchaseId,
    );
    expect(library).toEqual(newestPurchases);
  });
});
