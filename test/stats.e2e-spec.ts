import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import {
  insertDownloads,
  insertProduct,
  insertProducts,
  insertPurchases,
  insertUser,
  type PurchaseInput,
} from './helpers/stats-factories.js';
import {
  addDays,
  dayInZone,
  referenceStats,
  type RefProduct,
  type RefPurchase,
} from './helpers/stats-reference.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland', 'America/St_Johns'];
// The window crosses the spring DST changes of New York and St John's (9 March) and Auckland's
// autumn one (6 April).
const WINDOW_START = '2025-02-25';
const WINDOW_DAYS = 50;
// Minutes of the UTC day at or next to local midnight in the zones above.
const NEAR_MIDNIGHT = [
  0, 1, 1439, 239, 240, 241, 299, 300, 301, 1109, 1110, 1111, 659, 660, 661, 719, 720, 721, 149,
  150, 151, 209, 210, 211,
];

const errorShape = (statusCode: number, code: string) => ({
  statusCode,
  code,
  message: expect.any(String),
});

/** A day's money figures with no platform fee (platform payouts mode). */
const money = (grossCents: number, refundedCents = 0) => ({
  grossCents,
  refundedCents,
  netCents: grossCents - refundedCents,
  feeCents: 0,
  earningsCents: grossCents - refundedCents,
});

describe('GET /creator/stats', () => {
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

  const reset = async () => {
    await t.dataSource.query('DELETE FROM downloads');
    await t.dataSource.query('DELETE FROM purchases');
    await t.dataSource.query('DELETE FROM products');
  };
  beforeEach(reset);

  const stats = (query: Record<string, string>, who: Account = creator) =>
    t.http.get('/creator/stats').query(query).set(who.auth);

  describe('who may call it', () => {
    it('answers 401 without a token', async () => {
      const res = await t.http.get('/creator/stats').expect(401);
      expect(res.body).toEqual(errorShape(401, 'UNAUTHENTICATED'));
    });

    it('answers 403 to a buyer', async () => {
      const res = await stats({}, buyer).expect(403);
      expect(res.body).toEqual(errorShape(403, 'FORBIDDEN_ROLE'));
    });
  });

  describe('bad input', () => {
    it.each([
      [{ tz: 'Mars/Olympus_Mons' }, 'tz'],
      [{ tz: 'UTC+5' }, 'tz'],
      [{ tz: '' }, 'tz'],
      [{ tz: 'utc; DROP TABLE purchases' }, 'tz'],
      [{ from: '2025-02-30', to: '2025-03-01' }, 'from'],
      [{ from: '2025-1-1' }, 'from'],
      [{ to: 'yesterday' }, 'to'],
      [{ from: '0099-01-01', to: '0099-01-02' }, 'from'],
      [{ from: '2025-03-02', to: '2025-03-01' }, 'from'],
      [{ from: '2024-01-01', to: '2025-01-01' }, 'to'],
      [{ from: '2025-01-01', to: '9999-12-31' }, 'to'],
    ])('refuses %j (400 VALIDATION_FAILED on %s)', async (query, field) => {
      const res = await stats(query).expect(400);
      expect(res.body).toMatchObject(errorShape(400, 'VALIDATION_FAILED'));
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it('refuses unknown parameters', async () => {
      const res = await stats({ currency: 'usd' }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });

    it('takes a period of 366 days (a leap year), not 367', async () => {
      await stats({ from: '2024-01-01', to: '2024-12-31' }).expect(200);
      await stats({ from: '2024-01-01', to: '2025-01-01' }).expect(400);
    });
  });

  it('defaults to the last 30 days ending today in the zone, in UTC', async () => {
    const res = await stats({}).expect(200);
    const today = dayInZone(new Date(), 'UTC');
    expect(res.body).toEqual({
      from: addDays(today, -29),
      to: today,
      tz: 'UTC',
      totals: [],
      lifetime: [],
      products: [],
      daily: [],
    });
    const auckland = await stats({ tz: 'Pacific/Auckland' }).expect(200);
    expect(auckland.body.to).toBe(dayInZone(new Date(), 'Pacific/Auckland'));
    const fromOnly = await stats({ from: '2025-01-10' }).expect(200);
    expect([fromOnly.body.from, fromOnly.body.to]).toEqual(['2025-01-10', '2025-02-08']);
  });

  it('lists a product with no sales with zeros, and a zero day for each day', async () => {
    const id = await insertProduct(t.dataSource, {
      creatorId: creator.id,
      title: 'Quiet',
      currency: 'eur',
      status: 'unpublished',
    });
    const res = await stats({ from: '2025-03-01', to: '2025-03-03' }).expect(200);
    expect(res.body.products).toEqual([
      { id, title: 'Quiet', status: 'unpublished', downloads: 0, figures: [] },
    ]);
    expect(res.body.totals).toEqual([]);
    expect(res.body.daily).toEqual(
      ['2025-03-01', '2025-03-02', '2025-03-03'].map((date) => ({
        date,
        currency: 'eur',
        sales: 0,
        ...money(0),
      })),
    );
  });

  it('counts a sale on its day in the zone asked for, and refunds on the sale', async () => {
    const productId = await insertProduct(t.dataSource, { creatorId: creator.id, currency: 'usd' });
    const buyerId = await insertUser(t.dataSource, 'buyer');
    const other = await insertUser(t.dataSource, 'buyer');
    const third = await insertUser(t.dataSource, 'buyer');
    await insertPurchases(t.dataSource, [
      // 04:30 UTC on 2 March is still 1 March in New York (23:30).
      {
        buyerId,
        productId,
        amountCents: 1000,
        currency: 'usd',
        status: 'refunded',
        refundedCents: 1000,
        paidAt: '2025-03-02T04:30:00Z',
        refundedAt: new Date('2025-04-20T00:00:00Z'),
      },
      {
        buyerId: other,
        productId,
        amountCents: 1500,
        currency: 'usd',
        status: 'paid',
        refundedCents: 500,
        paidAt: '2025-03-02T12:00:00Z',
      },
      {
        buyerId: third,
        productId,
        amountCents: 0,
        currency: 'usd',
        status: 'paid',
        paidAt: '2025-03-02T13:00:00Z',
      },
      // Never paid: not a sale.
      { buyerId: third, productId, amountCents: 1500, currency: 'usd', status: 'expired' },
    ]);
    const utc = await stats({ from: '2025-03-01', to: '2025-03-02' }).expect(200);
    expect(utc.body.totals).toEqual([
      {
        currency: 'usd',
        sales: 3,
        grossCents: 2500,
        refundedCents: 1500,
        netCents: 1000,
        feeCents: 0,
        earningsCents: 1000,
        buyers: 3,
      },
    ]);
    expect(utc.body.daily).toEqual([
      { date: '2025-03-01', currency: 'usd', sales: 0, ...money(0) },
      { date: '2025-03-02', currency: 'usd', sales: 3, ...money(2500, 1500) },
    ]);
    const ny = await stats({ from: '2025-03-01', to: '2025-03-01', tz: 'America/New_York' });
    expect(ny.body.totals).toEqual([
      {
        currency: 'usd',
        sales: 1,
        grossCents: 1000,
        refundedCents: 1000,
        netCents: 0,
        feeCents: 0,
        earningsCents: 0,
        buyers: 1,
      },
    ]);
    expect(ny.body.lifetime).toEqual(utc.body.totals);
  });

  it('takes amounts and currencies from the purchases: a later price change changes no figure', async () => {
    const productId = await insertProduct(t.dataSource, {
      creatorId: creator.id,
      priceCents: 1000,
      currency: 'usd',
    });
    const buyerId = await insertUser(t.dataSource, 'buyer');
    await insertPurchases(t.dataSource, [
      {
        buyerId,
        productId,
        amountCents: 1000,
        currency: 'usd',
        status: 'paid',
        paidAt: '2025-03-05T10:00:00Z',
      },
    ]);
    const query = { from: '2025-03-01', to: '2025-03-10' };
    const before = (await stats(query).expect(200)).body;
    await t.dataSource.query(`UPDATE products SET price_cents = 4900 WHERE id = $1`, [productId]);
    expect((await stats(query).expect(200)).body).toEqual(before);
    // Even a new currency moves no money: only a zero series for the new currency appears.
    await t.dataSource.query(`UPDATE products SET currency = 'eur' WHERE id = $1`, [productId]);
    const after = (await stats(query).expect(200)).body;
    expect(after.totals).toEqual(before.totals);
    expect(after.lifetime).toEqual(before.lifetime);
    expect(after.products).toEqual(before.products);
    expect(after.daily.filter((d: { currency: string }) => d.currency === 'usd')).toEqual(
      before.daily,
    );
    expect(before.totals[0]).toMatchObject({ currency: 'usd', grossCents: 1000 });
  });

  it('never shows another creator’s products, sales or downloads', async () => {
    const rival = await registerCreator(t.http);
    const mine = await insertProduct(t.dataSource, { creatorId: creator.id, title: 'Mine' });
    const theirs = await insertProduct(t.dataSource, { creatorId: rival.id, title: 'Theirs' });
    const buyerId = await insertUser(t.dataSource, 'buyer');
    const paidAt = '2025-03-05T10:00:00Z';
    await insertPurchases(t.dataSource, [
      { buyerId, productId: theirs, amountCents: 777, currency: 'usd', status: 'paid', paidAt },
    ]);
    await insertDownloads(t.dataSource, [
      { userId: buyerId, productId: theirs, createdAt: new Date(paidAt) },
    ]);
    const query = { from: '2025-03-01', to: '2025-03-10' };
    const res = await stats(query).expect(200);
    expect(res.body.totals).toEqual([]);
    expect(res.body.lifetime).toEqual([]);
    expect(res.body.products).toEqual([
      { id: mine, title: 'Mine', status: 'published', downloads: 0, figures: [] },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(theirs);
    const own = await stats(query, rival).expect(200);
    expect(own.body.totals).toEqual([
      {
        currency: 'usd',
        sales: 1,
        grossCents: 777,
        refundedCents: 0,
        netCents: 777,
        feeCents: 0,
        earningsCents: 777,
        buyers: 1,
      },
    ]);
    expect(own.body.products[0].downloads).toBe(1);
  });

  it('agrees with a reference computation, and with the sales list (property)', async () => {
    const rival = await insertUser(t.dataSource, 'creator');
    let pagesSeen = 0;
    const buyers: string[] = [];
    for (let i = 0; i < 12; i++) buyers.push(await insertUser(t.dataSource, 'buyer'));

    const productArb = fc.record({
      mine: fc.boolean(),
      currency: fc.constantFrom('usd', 'eur', 'jpy'),
      status: fc.constantFrom('published', 'unpublished', 'archived'),
    });
    const instantArb = fc
      .record({
        day: fc.integer({ min: -2, max: WINDOW_DAYS + 1 }),
        minute: fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(...NEAR_MIDNIGHT)),
        ms: fc.integer({ min: 0, max: 59_999 }),
      })
      .map(
        ({ day, minute, ms }) =>
          new Date(
            Date.parse(`${WINDOW_START}T00:00:00Z`) + day * 86_400_000 + minute * 60_000 + ms,
          ),
      );
    const purchaseArb = fc.record({
      product: fc.nat(),
      buyer: fc.integer({ min: 0, max: buyers.length - 1 }),
      currency: fc.constantFrom('usd', 'eur', 'jpy'),
      amount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200_000 })),
      kind: fc.constantFrom(
        'paid',
        'partial',
        'refunded',
        'disputed',
        'disputeWon',
        'disputeLost',
        'pending',
        'failed',
        'expired',
      ),
      refundShare: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      paidAt: instantArb,
    });
    const periodArb = fc.record({
      start: fc.integer({ min: -3, max: WINDOW_DAYS }),
      length: fc.integer({ min: 1, max: 40 }),
      tz: fc.constantFrom(...ZONES),
    });
    const caseArb = fc.record({
      products: fc.array(productArb, { minLength: 1, maxLength: 5 }),
      purchases: fc.array(purchaseArb, { maxLength: 60, size: 'max' }),
      downloads: fc.array(fc.record({ product: fc.nat(), at: instantArb }), {
        maxLength: 10,
        size: 'max',
      }),
      period: periodArb,
    });

    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await reset();
        const base = Date.parse('2025-01-01T00:00:00Z');
        const products: RefProduct[] = c.products.map((p, i) => ({
          id: crypto.randomUUID(),
          creatorId: p.mine ? creator.id : rival,
          title: `Product ${i}, "quoted"`,
          status: p.status,
          currency: p.currency,
          createdAt: new Date(base + i * 1000),
        }));
        await insertProducts(
          t.dataSource,
          products.map((p) => ({ ...p, status: p.status as 'published' })),
        );
        const inputs: PurchaseInput[] = c.purchases.map((p) => {
          const product = products[p.product % products.length];
          const paid = !['pending', 'failed', 'expired'].includes(p.kind);
          const full = p.amount;
          const partial = Math.floor(p.amount * p.refundShare);
          // A 5% platform fee on every sale (connect payouts), returned in proportion to refunds.
          const fee = Math.floor(p.amount / 20);
          const row: PurchaseInput = {
            buyerId: buyers[p.buyer],
            productId: product.id,
            amountCents: p.amount,
            currency: p.currency,
            status: 'paid',
            feeCents: fee,
            paidAt: paid ? p.paidAt : null,
          };
          switch (p.kind) {
            case 'partial':
              return {
                ...row,
                refundedCents: partial,
                feeRefundedCents: p.amount === 0 ? 0 : Math.floor((fee * partial) / p.amount),
              };
            case 'refunded':
              return { ...row, status: 'refunded', refundedCents: full, feeRefundedCents: fee };
            case 'disputed':
              return { ...row, status: 'disputed', disputeStatus: 'open' };
            case 'disputeWon':
              return { ...row, disputeStatus: 'won' };
            case 'disputeLost':
              return {
                ...row,
                status: 'refunded',
                disputeStatus: 'lost',
                refundedCents: full,
                feeRefundedCents: fee,
              };
            case 'pending':
            case 'failed':
            case 'expired':
              return { ...row, status: p.kind };
            case 'paid':
              return row;
          }
        });
        const inserted = await insertPurchases(t.dataSource, inputs);
        const downloads = c.downloads.map((d) => ({
          userId: buyers[0],
          productId: products[d.product % products.length].id,
          createdAt: d.at,
        }));
        await insertDownloads(t.dataSource, downloads);

        const from = addDays(WINDOW_START, c.period.start);
        const to = addDays(from, c.period.length - 1);
        const { tz } = c.period;
        const expected = referenceStats({
          creatorId: creator.id,
          products,
          purchases: inserted.map((p): RefPurchase => ({
            id: p.id,
            buyerId: p.buyerId,
            productId: p.productId,
            amountCents: p.amountCents,
            currency: p.currency,
            status: p.status,
            refundedCents: p.refundedCents ?? 0,
            feeCents: p.feeCents,
            feeRefundedCents: p.feeRefundedCents,
            paidAt: p.paidAt instanceof Date ? p.paidAt : null,
          })),
          downloads,
          from,
          to,
          tz,
        });
        const res = await stats({ from, to, tz }).expect(200);
        const { saleIds, ...figures } = expected;
        expect(res.body).toEqual(figures);

        // The sales list over the same filters holds exactly the period's sales, in order.
        const listed: { purchaseId: string; amountCents: number }[] = [];
        let cursor: string | null = null;
        do {
          const page: { body: { items: typeof listed; nextCursor: string | null } } = await t.http
            .get('/creator/sales')
            .query({ from, to, tz, limit: '3', ...(cursor ? { cursor } : {}) })
            .set(creator.auth)
            .expect(200);
          listed.push(...page.body.items);
          cursor = page.body.nextCursor;
        } while (cursor !== null);
        expect(listed.map((s) => s.purchaseId)).toEqual(saleIds);
        pagesSeen = Math.max(pagesSeen, Math.ceil(saleIds.length / 3));
      }),
      {
        numRuns: 25,
        // One case sure to need several pages of the list, besides the random ones.
        examples: [
          [
            {
              products: [{ mine: true, currency: 'jpy' as const, status: 'published' as const }],
              purchases: Array.from({ length: 12 }, (_, i) => ({
                product: 0,
                buyer: i % buyers.length,
                currency: 'jpy' as const,
                amount: 1000 + i,
                kind: 'paid' as const,
                refundShare: 0.5,
                paidAt: new Date(Date.parse(`${WINDOW_START}T23:59:59Z`) + i * 3_600_000),
              })),
              downloads: [],
              period: { start: 0, length: 3, tz: 'Asia/Kolkata' as const },
            },
          ],
        ],
      },
    );
    // The cases were big enough to need several pages.
    expect(pagesSeen).toBeGreaterThan(2);
  });
});
