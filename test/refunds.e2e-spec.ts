import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { insertProduct, type ProductRow } from './helpers/catalogue-factories.js';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import {
  accountStates,
  type FakeStripe,
  signWebhook,
  startFakeStripe,
  stripeEvents,
} from './helpers/fake-stripe.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import type { SimulatedPaymentsDriver } from '../src/payments/drivers/simulated.driver.js';
import { PAYMENTS } from '../src/payments/payments.interface.js';

const SECRET = 'whsec_test_refunds';
const CONNECT_SECRET = 'whsec_test_refunds_connect';

interface Sale {
  purchaseId: string;
  paymentIntent: string;
  product: ProductRow;
  buyer: Account;
}

/** What every refund spec needs of its app: a paid sale of `creator`'s. */
function helpers(get: () => { t: TestApp; fake?: FakeStripe }) {
  const refund = (creator: Account, purchaseId: string, body: object = {}) =>
    get().t.http.post(`/creator/sales/${purchaseId}/refund`).set(creator.auth).send(body);
  const row = async (purchaseId: string) =>
    (
      await get().t.dataSource.query(
        `SELECT status, amount_cents, refunded_cents, fee_cents, fee_refunded_cents
         FROM purchases WHERE id = $1`,
        [purchaseId],
      )
    )[0] as {
      status: string;
      amount_cents: number;
      refunded_cents: number;
      fee_cents: number;
      fee_refunded_cents: number;
    };
  const access = async (buyer: Account, purchaseId: string) =>
    (await get().t.http.get(`/purchases/${purchaseId}`).set(buyer.auth).expect(200)).body
      .hasAccess as boolean;
  return { refund, row, access };
}

describe('POST /creator/sales/:purchaseId/refund with Stripe Connect', () => {
  let fake: FakeStripe;
  let t: TestApp;
  let creator: Account;
  let accountId: string;
  const { refund, row, access } = helpers(() => ({ t, fake }));

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp({
      PAYMENTS_DRIVER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_refunds',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_CONNECT_WEBHOOK_SECRET: CONNECT_SECRET,
      STRIPE_API_BASE: fake.url,
      PAYOUTS_MODE: 'connect',
      PLATFORM_FEE_BPS: '1000',
      PLATFORM_FEE_FIXED_CENTS: '5',
    });
    creator = await registerCreator(t.http);
    await t.http.post('/creator/payouts/onboarding').set(creator.auth).send({}).expect(201);
    accountId = [...fake.accounts.values()].find((a) => a.metadata?.creatorId === creator.id)!.id;
    const account = fake.updateAccount(accountId, accountStates.enabled());
    await deliver(stripeEvents.accountUpdated(account), CONNECT_SECRET).expect(200);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  function deliver(event: object, secret = SECRET) {
    const { body, signature } = signWebhook(event, secret);
    return t.http
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(body);
  }

  /** A buyer pays for a new product of `creator` on Stripe's page; the app learns it. */
  async function paidSale(priceCents = 1000, currency = 'usd', owner = creator): Promise<Sale> {
    const buyer = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, owner.id, { priceCents, currency });
    const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
    expect(started.status).toBe(201);
    const session = fake.completeSession(started.body.sessionId as string);
    const res = await t.http.get(`/purchases/${started.body.purchaseId}`).set(buyer.auth);
    expect(res.body.status).toBe('paid');
    return {
      purchaseId: started.body.purchaseId as string,
      paymentIntent: session.payment_intent as string,
      product,
      buyer,
    };
  }

  const refundRequests = (sale: Sale) =>
    fake.requests.filter(
      (r) => r.path === '/v1/refunds' && r.params.payment_intent === sale.paymentIntent,
    );

  it('refunds in full: reverses the transfer, returns the fee, ends access', async () => {
    const sale = await paidSale(1000);
    expect(await row(sale.purchaseId)).toMatchObject({ fee_cents: 105, fee_refunded_cents: 0 });
    const res = await refund(creator, sale.purchaseId).expect(202);
    expect(res.body).toEqual({
      purchaseId: sale.purchaseId,
      productId: sale.product.id,
      productTitle: sale.product.title,
      buyerEmail: sale.buyer.email,
      amountCents: 1000,
      currency: 'usd',
      status: 'refunded',
      refundedCents: 1000,
      // The whole fee went back with the whole price: nothing kept, nothing earned.
      feeCents: 0,
      earningsCents: 0,
      paidAt: expect.any(String),
    });
    // https://docs.stripe.com/api/refunds/create and
    // https://docs.stripe.com/connect/destination-charges#issue-refunds
    const [request] = refundRequests(sale);
    expect(request.method).toBe('POST');
    expect(request.params).toEqual({
      payment_intent: sale.paymentIntent,
      amount: '1000',
      reverse_transfer: 'true',
      refund_application_fee: 'true',
      metadata: { purchaseId: sale.purchaseId },
      expand: ['charge'],
    });
    expect(request.idempotencyKey).toMatch(new RegExp(`^refund-${sale.purchaseId}-0-1000-`));
    expect(await row(sale.purchaseId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 1000,
      fee_refunded_cents: 105,
    });
    expect(await access(sale.buyer, sale.purchaseId)).toBe(false);

    // Stripe's own charge.refunded arrives afterwards: recorded, changes nothing.
    const charge = fake.charges.get(sale.paymentIntent)!;
    const event = stripeEvents.chargeRefunded({ ...charge, payment_intent: sale.paymentIntent });
    expect((await deliver(event).expect(200)).body.outcome).toBe('applied');
    expect(await row(sale.purchaseId)).toMatchObject({
      refunded_cents: 1000,
      fee_refunded_cents: 105,
    });
    // And nothing is left to refund.
    const again = await refund(creator, sale.purchaseId).expect(409);
    expect(again.body.code).toBe('NOT_REFUNDABLE');
  });

  it('refunds in part, then the rest; the fee comes back in proportion', async () => {
    const sale = await paidSale(1990); // fee 199 + 5 = 204
    const part = await refund(creator, sale.purchaseId, { amountCents: 500 }).expect(202);
    expect(part.body).toMatchObject({ status: 'paid', refundedCents: 500 });
    // 204 × 500 / 1990 = 51.26 → 51
    expect(await row(sale.purchaseId)).toMatchObject({
      status: 'paid',
      refunded_cents: 500,
      fee_cents: 204,
      fee_refunded_cents: 51,
    });
    expect(await access(sale.buyer, sale.purchaseId)).toBe(true);
    const rest = await refund(creator, sale.purchaseId).expect(202);
    expect(rest.body).toMatchObject({ status: 'refunded', refundedCents: 1990 });
    expect(refundRequests(sale).map((r) => [r.params.amount, r.idempotencyKey])).toEqual([
      ['500', expect.stringMatching(`^refund-${sale.purchaseId}-0-500-`)],
      ['1490', expect.stringMatching(`^refund-${sale.purchaseId}-500-1490-`)],
    ]);
    expect(await row(sale.purchaseId)).toMatchObject({ fee_refunded_cents: 204 });
    expect(fake.charges.get(sale.paymentIntent)!.amount_refunded).toBe(1990);
  });

  it('refunds once when a double click sends two requests at once', async () => {
    const sale = await paidSale(800);
    // Stripe takes its time, so the second click arrives while the first is in flight.
    fake.setDelay(300);
    const answers = await Promise.all([
      refund(creator, sale.purchaseId, { amountCents: 200 }),
      refund(creator, sale.purchaseId, { amountCents: 200 }),
    ]).finally(() => fake.setDelay(0));
    // Both read the sale before either refund was applied: one key, so Stripe makes one refund
    // and replays it for the other request.
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect(answers.map((a) => a.body.refundedCents)).toEqual([200, 200]);
    const requests = refundRequests(sale);
    expect(requests).toHaveLength(2);
    expect(requests[0].idempotencyKey).toMatch(new RegExp(`^refund-${sale.purchaseId}-0-200-`));
    expect(requests[1].idempotencyKey).toBe(requests[0].idempotencyKey);
    expect(fake.charges.get(sale.paymentIntent)!.amount_refunded).toBe(200);
    expect((await row(sale.purchaseId)).refunded_cents).toBe(200);
    const events = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM payment_events WHERE purchase_id = $1 AND type = 'charge.refunded'`,
      [sale.purchaseId],
    );
    expect(events[0].n).toBe(1);
  });

  it('refunds at most what was paid when full refunds race', async () => {
    const sale = await paidSale(1500);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => refund(creator, sale.purchaseId)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(202);
    for (const status of statuses) expect([202, 409]).toContain(status);
    for (const answer of answers.filter((a) => a.status === 409)) {
      expect(answer.body.code).toBe('NOT_REFUNDABLE');
    }
    expect(fake.charges.get(sale.paymentIntent)!.amount_refunded).toBe(1500);
    expect(await row(sale.purchaseId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 1500,
      fee_refunded_cents: 155,
    });
  });

  it('lets one of two racing partial refunds through when both do not fit', async () => {
    const sale = await paidSale(1000);
    const answers = await Promise.all([
      refund(creator, sale.purchaseId, { amountCents: 600 }),
      refund(creator, sale.purchaseId, { amountCents: 700 }),
    ]);
    const ok = answers.filter((a) => a.status === 202);
    expect(ok).toHaveLength(1);
    const other = answers.find((a) => a.status !== 202)!;
    expect([400, 409]).toContain(other.status);
    const refunded = fake.charges.get(sale.paymentIntent)!.amount_refunded;
    expect([600, 700]).toContain(refunded);
    expect(await row(sale.purchaseId)).toMatchObject({ status: 'paid', refunded_cents: refunded });
  });

  it('applies a Dashboard refund first, then refunds only what is left', async () => {
    const sale = await paidSale(1000);
    const event = stripeEvents.chargeRefunded({
      payment_intent: sale.paymentIntent,
      amount: 1000,
      amount_refunded: 400,
      metadata: { purchaseId: sale.purchaseId },
    });
    await deliver(event).expect(200);
    fake.charges.set(sale.paymentIntent, {
      ...fake.charges.get(sale.paymentIntent)!,
      amount_refunded: 400,
    });
    expect(await row(sale.purchaseId)).toMatchObject({
      refunded_cents: 400,
      fee_refunded_cents: 42,
    });
    const over = await refund(creator, sale.purchaseId, { amountCents: 601 }).expect(400);
    expect(over.body.code).toBe('VALIDATION_FAILED');
    const res = await refund(creator, sale.purchaseId).expect(202);
    expect(res.body).toMatchObject({ status: 'refunded', refundedCents: 1000 });
    expect(refundRequests(sale).map((r) => r.params.amount)).toEqual(['600']);
  });

  it('refuses bad amounts with 400 and asks Stripe nothing', async () => {
    const sale = await paidSale(1000);
    for (const amountCents of [0, -5, 1.5, '100', null, 1001]) {
      const res = await refund(creator, sale.purchaseId, { amountCents }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    await refund(creator, sale.purchaseId, { amountCents: 100, extra: true }).expect(400);
    expect(refundRequests(sale)).toEqual([]);
    expect(await row(sale.purchaseId)).toMatchObject({ status: 'paid', refunded_cents: 0 });
  });

  it('answers 404 for another creator’s sale and for none, 401/403 without a creator token', async () => {
    const sale = await paidSale(1000);
    const other = await registerCreator(t.http);
    const res = await refund(other, sale.purchaseId).expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
    await refund(other, '00000000-0000-4000-8000-000000000000').expect(404);
    await refund(creator, 'not-a-uuid').expect(400);
    await t.http.post(`/creator/sales/${sale.purchaseId}/refund`).send({}).expect(401);
    await refund(sale.buyer, sale.purchaseId).expect(403);
    expect(refundRequests(sale)).toEqual([]);
    expect((await row(sale.purchaseId)).refunded_cents).toBe(0);
  });

  it('answers 409 NOT_REFUNDABLE for an unpaid, a free and a disputed sale', async () => {
    const buyer = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, creator.id, { priceCents: 900 });
    const pending = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
    const unpaid = await refund(creator, pending.body.purchaseId as string).expect(409);
    expect(unpaid.body.code).toBe('NOT_REFUNDABLE');

    const freeProduct = await insertProduct(t.dataSource, creator.id, { priceCents: 0 });
    const free = await t.http.post(`/purchase/${freeProduct.id}`).set(buyer.auth).send({});
    expect(free.body.status).toBe('paid');
    await refund(creator, free.body.purchaseId as string).expect(409);

    const sale = await paidSale(1000);
    await deliver(stripeEvents.disputeCreated({ payment_intent: sale.paymentIntent })).expect(200);
    expect((await refund(creator, sale.purchaseId).expect(409)).body.code).toBe('NOT_REFUNDABLE');
    expect(
      fake.requests.filter(
        (r) => r.path === '/v1/refunds' && r.params.payment_intent === sale.paymentIntent,
      ),
    ).toEqual([]);
  });

  it('shows fees and earnings after refunds: earningsCents == netCents - feeCents everywhere', async () => {
    // A creator of their own, so the figures hold only these sales.
    const seller = await registerCreator(t.http);
    await t.http.post('/creator/payouts/onboarding').set(seller.auth).send({}).expect(201);
    const sellerAccount = [...fake.accounts.values()].find(
      (a) => a.metadata?.creatorId === seller.id,
    )!.id;
    const enabled = fake.updateAccount(sellerAccount, accountStates.enabled());
    await deliver(stripeEvents.accountUpdated(enabled), CONNECT_SECRET).expect(200);

    const kept = await paidSale(2000, 'usd', seller); // fee 200 + 5 = 205
    const partial = await paidSale(1000, 'usd', seller); // fee 105
    const full = await paidSale(500, 'usd', seller); // fee 55
    const yen = await paidSale(1000, 'jpy', seller); // fee ¥105
    await refund(seller, partial.purchaseId, { amountCents: 300 }).expect(202); // fee back 31.5 → 32
    await refund(seller, full.purchaseId).expect(202); // fee back 55
    await refund(seller, yen.purchaseId, { amountCents: 100 }).expect(202); // fee back ¥10.5 → ¥11

    const usd = {
      currency: 'usd',
      sales: 3,
      grossCents: 3500,
      refundedCents: 800,
      netCents: 2700,
      feeCents: 205 + (105 - 32),
      earningsCents: 2700 - 278,
    };
    const jpy = {
      currency: 'jpy',
      sales: 1,
      grossCents: 1000,
      refundedCents: 100,
      netCents: 900,
      feeCents: 94,
      earningsCents: 806,
    };
    const stats = await t.http.get('/creator/stats').set(seller.auth).expect(200);
    expect(stats.body.totals).toEqual([
      { ...jpy, buyers: 1 },
      { ...usd, buyers: 3 },
    ]);
    expect(stats.body.lifetime).toEqual(stats.body.totals);
    const today = stats.body.to as string;
    expect(stats.body.daily.filter((d: { date: string }) => d.date === today)).toEqual([
      { date: today, ...jpy },
      { date: today, ...usd },
    ]);
    const byProduct = Object.fromEntries(
      (stats.body.products as { id: string; figures: object[] }[]).map((p) => [p.id, p.figures]),
    );
    expect(byProduct[full.product.id]).toEqual([
      {
        currency: 'usd',
        sales: 1,
        grossCents: 500,
        refundedCents: 500,
        netCents: 0,
        feeCents: 0,
        earningsCents: 0,
      },
    ]);
    type Figures = { netCents: number; feeCents: number; earningsCents: number };
    const all: Figures[] = [
      ...stats.body.totals,
      ...stats.body.lifetime,
      ...stats.body.daily,
      ...(stats.body.products as { figures: Figures[] }[]).flatMap((p) => p.figures),
    ];
    for (const f of all) expect(f.earningsCents).toBe(f.netCents - f.feeCents);

    const list = await t.http.get('/creator/sales').set(seller.auth).expect(200);
    const sales = list.body.items as {
      purchaseId: string;
      amountCents: number;
      refundedCents: number;
      feeCents: number;
      earningsCents: number;
    }[];
    expect(
      Object.fromEntries(sales.map((x) => [x.purchaseId, [x.feeCents, x.earningsCents]])),
    ).toEqual({
      [kept.purchaseId]: [205, 1795],
      [partial.purchaseId]: [73, 627],
      [full.purchaseId]: [0, 0],
      [yen.purchaseId]: [94, 806],
    });
    for (const x of sales) {
      expect(x.earningsCents).toBe(x.amountCents - x.refundedCents - x.feeCents);
    }

    const csv = await t.http
      .get('/creator/sales')
      .query({ format: 'csv' })
      .set(seller.auth)
      .expect(200);
    const [header, ...rows] = csv.text.trim().split('\r\n');
    expect(header).toBe(
      'purchaseId,productId,productTitle,buyerEmail,amountCents,currency,status,refundedCents,paidAt,feeCents,earningsCents',
    );
    const fromCsv = Object.fromEntries(
      rows.map((line) => {
        const cells = line.split(',');
        return [cells[0], [Number(cells[9]), Number(cells[10])]];
      }),
    );
    expect(fromCsv).toEqual(
      Object.fromEntries(sales.map((x) => [x.purchaseId, [x.feeCents, x.earningsCents]])),
    );
  });

  it('answers 502 and changes nothing when Stripe fails', async () => {
    const sale = await paidSale(1000);
    fake.setMode('error');
    try {
      const res = await refund(creator, sale.purchaseId).expect(502);
      expect(res.body.code).toBe('PAYMENT_PROVIDER_ERROR');
    } finally {
      fake.setMode('ok');
    }
    expect(await row(sale.purchaseId)).toMatchObject({ status: 'paid', refunded_cents: 0 });
  });
});

describe('creator refunds in platform mode and with simulated payments', () => {
  describe('Stripe, platform mode', () => {
    let fake: FakeStripe;
    let t: TestApp;
    const { refund } = helpers(() => ({ t, fake }));

    beforeAll(async () => {
      fake = await startFakeStripe();
      t = await createTestApp({
        PAYMENTS_DRIVER: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_platform_refunds',
        STRIPE_WEBHOOK_SECRET: SECRET,
        STRIPE_API_BASE: fake.url,
      });
    });
    afterAll(async () => {
      await t.close();
      await fake.close();
    });

    it('refunds with no transfer to reverse and no fee to return', async () => {
      const creator = await registerCreator(t.http);
      const buyer = await registerBuyer(t.http);
      const product = await insertProduct(t.dataSource, creator.id, { priceCents: 700 });
      const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
      const session = fake.completeSession(started.body.sessionId as string);
      await t.http.get(`/purchases/${started.body.purchaseId}`).set(buyer.auth).expect(200);
      const res = await refund(creator, started.body.purchaseId as string, {
        amountCents: 200,
      }).expect(202);
      expect(res.body).toMatchObject({ status: 'paid', refundedCents: 200 });
      const request = fake.requests.filter((r) => r.path === '/v1/refunds').at(-1)!;
      expect(request.params).toEqual({
        payment_intent: session.payment_intent,
        amount: '200',
        metadata: { purchaseId: started.body.purchaseId },
        expand: ['charge'],
      });
    });
  });

  describe('simulated payments, connect mode', () => {
    let t: TestApp;
    const { refund, row, access } = helpers(() => ({ t }));

    beforeAll(async () => {
      t = await createTestApp({ PAYOUTS_MODE: 'connect' });
    });
    afterAll(async () => {
      await t.close();
    });

    async function simulatedSale(creator: Account, priceCents: number) {
      const buyer = await registerBuyer(t.http);
      const product = await insertProduct(t.dataSource, creator.id, { priceCents });
      const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
      expect(started.status).toBe(201);
      await t.http
        .post(`/checkout/simulated/${started.body.sessionId}/pay`)
        .type('form')
        .send({ outcome: 'success' })
        .expect(303);
      return { buyer, purchaseId: started.body.purchaseId as string };
    }

    it('refunds through the same fulfilment path, once per click', async () => {
      const creator = await registerCreator(t.http);
      const link = await t.http.post('/creator/payouts/onboarding').set(creator.auth).send({});
      await t.http.post(`${new URL(link.body.url as string).pathname}/complete`).expect(303);
      const sale = await simulatedSale(creator, 1000); // fee 5%: 50

      const first = await refund(creator, sale.purchaseId, { amountCents: 250 }).expect(202);
      expect(first.body).toMatchObject({ status: 'paid', refundedCents: 250 });
      expect(await row(sale.purchaseId)).toMatchObject({
        status: 'paid',
        refunded_cents: 250,
        fee_cents: 50,
        fee_refunded_cents: 13, // 12.5 → 13
      });
      const events = await t.dataSource.query(
        `SELECT provider, type, event_id FROM payment_events
         WHERE purchase_id = $1 AND type = 'charge.refunded'`,
        [sale.purchaseId],
      );
      expect(events).toEqual([
        {
          provider: 'simulated',
          type: 'charge.refunded',
          event_id: expect.stringMatching(/^sim_re_/),
        },
      ]);
      // The request a second click makes while the first is in flight (same key): the simulated
      // provider answers the first refund again, as Stripe does, and nothing more is refunded.
      const [{ provider_payment_id: paymentId }] = await t.dataSource.query(
        'SELECT provider_payment_id FROM purchases WHERE id = $1',
        [sale.purchaseId],
      );
      const replay = await t.app.get<SimulatedPaymentsDriver>(PAYMENTS).refund({
        paymentId: paymentId as string,
        purchaseId: sale.purchaseId,
        amountCents: 250,
        reverseTransfer: true,
        idempotencyKey: `refund-${sale.purchaseId}-0-250`,
      });
      expect(replay).toMatchObject({ id: events[0].event_id, amountRefundedCents: 250 });
      const [session] = await t.dataSource.query(
        'SELECT amount_refunded_cents FROM simulated_checkout_sessions WHERE purchase_id = $1',
        [sale.purchaseId],
      );
      expect(session.amount_refunded_cents).toBe(250);

      await refund(creator, sale.purchaseId, { amountCents: 751 }).expect(400);
      const rest = await refund(creator, sale.purchaseId).expect(202);
      expect(rest.body).toMatchObject({ status: 'refunded', refundedCents: 1000 });
      expect(await access(sale.buyer, sale.purchaseId)).toBe(false);
      expect(await row(sale.purchaseId)).toMatchObject({ fee_refunded_cents: 50 });
      expect((await refund(creator, sale.purchaseId).expect(409)).body.code).toBe('NOT_REFUNDABLE');
    });
  });
});
