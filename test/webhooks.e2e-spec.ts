import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';
import { Logger } from '@nestjs/common';
import { insertProduct, type ProductRow } from './helpers/catalogue-factories.js';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import {
  type FakeStripe,
  randomStripeId,
  signWebhook,
  startFakeStripe,
  stripeEvents,
} from './helpers/fake-stripe.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const SECRET = 'whsec_test_secret_for_webhooks';

const stripeEnv = (fake: FakeStripe) => ({
  PAYMENTS_DRIVER: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_webhooks',
  STRIPE_WEBHOOK_SECRET: SECRET,
  STRIPE_API_BASE: fake.url,
});

interface Started {
  purchaseId: string;
  sessionId: string;
  product: ProductRow;
}

describe('Stripe payments and POST /webhooks/stripe', () => {
  let fake: FakeStripe;
  let t: TestApp;
  let creator: Account;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp(stripeEnv(fake));
    creator = await registerCreator(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const deliver = (event: object | string, secret = SECRET, timestamp?: number) => {
    const { body, signature } = signWebhook(event, secret, { timestamp });
    return t.http
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(body);
  };

  async function start(buyer: Account, priceCents = 1500, currency = 'usd'): Promise<Started> {
    const product = await insertProduct(t.dataSource, creator.id, { priceCents, currency });
    const res = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
    return { purchaseId: res.body.purchaseId, sessionId: res.body.sessionId, product };
  }

  const sessionFields = (s: Started, paymentIntent = randomStripeId('pi')) => ({
    id: s.sessionId,
    client_reference_id: s.purchaseId,
    metadata: { purchaseId: s.purchaseId, productId: s.product.id },
    amount_total: s.product.priceCents,
    currency: s.product.currency,
    payment_intent: paymentIntent,
  });

  async function purchaseRow(id: string) {
    const [row] = await t.dataSource.query(
      `SELECT status, refunded_cents, provider_payment_id, paid_at, dispute_status FROM purchases WHERE id = $1`,
      [id],
    );
    return row as { status: string; refunded_cents: number; provider_payment_id: string | null };
  }
  const eventCount = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM payment_events'))[0].n);

  it('creates a Checkout Session priced from the purchase, keyed for idempotency', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer, 2500, 'jpy');
    const request = fake.requests.filter((r) => r.path === '/v1/checkout/sessions').pop()!;
    expect(request.method).toBe('POST');
    expect(request.params).toMatchObject({
      mode: 'payment',
      client_reference_id: s.purchaseId,
      metadata: { purchaseId: s.purchaseId },
      line_items: [{ quantity: '1', price_data: { currency: 'jpy', unit_amount: '2500' } }],
    });
    expect(request.idempotencyKey).toContain(s.purchaseId);
    expect(s.sessionId).toMatch(/^cs_/);
  });

  it('fulfils a paid checkout.session.completed once, however often it is delivered', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const event = stripeEvents.checkoutCompleted(sessionFields(s));
    const before = await eventCount();
    const first = await deliver(event).expect(200);
    expect(first.body).toEqual({ received: true, outcome: 'applied' });
    const again = await deliver(event).expect(200);
    expect(again.body.outcome).toBe('duplicate');
    expect(await eventCount()).toBe(before + 1);
    const res = await t.http.get(`/purchases/${s.purchaseId}`).set(buyer.auth).expect(200);
    expect(res.body).toMatchObject({ status: 'paid', hasAccess: true, provider: 'stripe' });
  });

  it('processes 20 concurrent copies of one event exactly once', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const event = stripeEvents.checkoutCompleted(sessionFields(s));
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(event)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const outcomes = answers.map((a) => a.body.outcome as string).sort();
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(19);
    const rows = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM payment_events WHERE event_id = $1`,
      [event.id],
    );
    expect(rows[0].n).toBe(1);
    expect((await purchaseRow(s.purchaseId)).status).toBe('paid');
  });

  it('does not fulfil a completed checkout that is still unpaid; the async result decides', async () => {
    const buyer = await registerBuyer(t.http);
    const ok = await start(buyer);
    const ko = await start(buyer);
    for (const [s, settle] of [
      [ok, stripeEvents.checkoutAsyncSucceeded],
      [ko, stripeEvents.checkoutAsyncFailed],
    ] as const) {
      const fields = sessionFields(s);
      await deliver(stripeEvents.checkoutCompleted({ ...fields, payment_status: 'unpaid' })).expect(
        200,
      );
      expect((await purchaseRow(s.purchaseId)).status).toBe('pending');
      await deliver(settle(fields)).expect(200);
    }
    expect((await purchaseRow(ok.purchaseId)).status).toBe('paid');
    expect((await purchaseRow(ko.purchaseId)).status).toBe('failed');
  });

  it('expires a checkout on checkout.session.expired, and the buyer can start again', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    await deliver(stripeEvents.checkoutExpired(sessionFields(s))).expect(200);
    expect((await purchaseRow(s.purchaseId)).status).toBe('expired');
    const again = await t.http.post(`/purchase/${s.product.id}`).set(buyer.auth).expect(201);
    expect(again.body.purchaseId).not.toBe(s.purchaseId);
  });

  it('records a partial refund and keeps access; a full refund ends it', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const pi = randomStripeId('pi');
    await deliver(stripeEvents.checkoutCompleted(sessionFields(s, pi))).expect(200);
    await deliver(
      stripeEvents.chargeRefunded({ payment_intent: pi, amount: 1500, amount_refunded: 500 }),
    ).expect(200);
    expect(await purchaseRow(s.purchaseId)).toMatchObject({ status: 'paid', refunded_cents: 500 });
    await deliver(
      stripeEvents.chargeRefunded({ payment_intent: pi, amount: 1500, amount_refunded: 1500 }),
    ).expect(200);
    expect(await purchaseRow(s.purchaseId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 1500,
    });
    const res = await t.http.get(`/purchases/${s.purchaseId}`).set(buyer.auth).expect(200);
    expect(res.body).toMatchObject({ status: 'refunded', hasAccess: false, refundedCents: 1500 });
    expect(res.body.refundedAt).toEqual(expect.any(String));
  });

  it('ends in the same state when a refund arrives before the completion it refers to', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const pi = randomStripeId('pi');
    const refund = stripeEvents.chargeRefunded({
      payment_intent: pi,
      amount: 1500,
      amount_refunded: 1500,
      metadata: { purchaseId: s.purchaseId },
    });
    const early = await deliver(refund).expect(200);
    expect(early.body.outcome).toBe('deferred');
    expect((await purchaseRow(s.purchaseId)).status).toBe('pending');
    await deliver(stripeEvents.checkoutCompleted(sessionFields(s, pi))).expect(200);
    expect(await purchaseRow(s.purchaseId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 1500,
    });
    // The refund's redelivery changes nothing more.
    expect((await deliver(refund).expect(200)).body.outcome).toBe('duplicate');
  });

  it('suspends access during a dispute, restores it when won, ends it when lost', async () => {
    const buyer = await registerBuyer(t.http);
    const won = await start(buyer);
    const lost = await start(buyer);
    const piWon = randomStripeId('pi');
    const piLost = randomStripeId('pi');
    await deliver(stripeEvents.checkoutCompleted(sessionFields(won, piWon))).expect(200);
    await deliver(stripeEvents.checkoutCompleted(sessionFields(lost, piLost))).expect(200);
    await deliver(stripeEvents.disputeCreated({ payment_intent: piWon })).expect(200);
    await deliver(stripeEvents.disputeCreated({ payment_intent: piLost })).expect(200);
    expect((await purchaseRow(won.purchaseId)).status).toBe('disputed');
    await deliver(stripeEvents.disputeClosed({ payment_intent: piWon, status: 'won' })).expect(200);
    await deliver(stripeEvents.disputeClosed({ payment_intent: piLost, status: 'lost' })).expect(
      200,
    );
    expect((await purchaseRow(won.purchaseId)).status).toBe('paid');
    expect(await purchaseRow(lost.purchaseId)).toMatchObject({
      status: 'refunded',
      refunded_cents: 1500,
    });
  });

  it('ends in the same state whatever order the dispute events come in', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const pi = randomStripeId('pi');
    await deliver(stripeEvents.checkoutCompleted(sessionFields(s, pi))).expect(200);
    await deliver(stripeEvents.disputeClosed({ payment_intent: pi, status: 'won' })).expect(200);
    await deliver(stripeEvents.disputeCreated({ payment_intent: pi })).expect(200);
    expect((await purchaseRow(s.purchaseId)).status).toBe('paid');
  });

  it('answers unknown event types 200 and changes nothing', async () => {
    const res = await deliver({
      id: randomStripeId('evt'),
      object: 'event',
      type: 'customer.created',
      data: { object: { id: randomStripeId('cus'), object: 'customer' } },
    }).expect(200);
    expect(res.body.outcome).toBe('ignored');
  });

  it('refuses a missing, malformed, wrong, stale or altered signature, and records nothing', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const event = stripeEvents.checkoutCompleted(sessionFields(s));
    const { body, signature } = signWebhook(event, SECRET);
    const before = await eventCount();
    const attempts = [
      t.http.post('/webhooks/stripe').set('Content-Type', 'application/json').send(body),
      t.http
        .post('/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', 'garbage')
        .send(body),
      deliver(event, 'whsec_some_other_secret'),
      deliver(event, SECRET, Math.floor(Date.now() / 1000) - 600),
      t.http
        .post('/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(body.replace('"paid"', '"unpaid"')),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect({ status: res.status, code: res.body.code }).toEqual({
        status: 400,
        code: 'WEBHOOK_SIGNATURE_INVALID',
      });
    }
    expect(await eventCount()).toBe(before);
    expect((await purchaseRow(s.purchaseId)).status).toBe('pending');
  });

  it('answers 5xx and keeps nothing when processing fails, so the retry applies it', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const event = stripeEvents.checkoutCompleted(sessionFields(s));
    await t.dataSource.query(`
      CREATE FUNCTION fail_purchase_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      CREATE TRIGGER fail_purchase_update BEFORE UPDATE ON purchases
        FOR EACH ROW EXECUTE FUNCTION fail_purchase_update();`);
    try {
      const res = await deliver(event);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        statusCode: 500,
        code: 'INTERNAL',
        message: 'Internal server error',
      });
      const rows = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM payment_events WHERE event_id = $1',
        [event.id],
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await t.dataSource.query(`
        DROP TRIGGER fail_purchase_update ON purchases;
        DROP FUNCTION fail_purchase_update();`);
    }
    expect((await deliver(event).expect(200)).body.outcome).toBe('applied');
    expect((await purchaseRow(s.purchaseId)).status).toBe('paid');
  });

  it('GET /purchases/:id asks Stripe about a pending purchase, so a late webhook does not matter', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    fake.completeSession(s.sessionId);
    const res = await t.http.get(`/purchases/${s.purchaseId}`).set(buyer.auth).expect(200);
    expect(res.body).toMatchObject({ status: 'paid', hasAccess: true });
    // The webhook arriving afterwards finds it done.
    const session = fake.sessions.get(s.sessionId)!;
    const late = await deliver(
      stripeEvents.checkoutCompleted({
        ...sessionFields(s),
        payment_intent: session.payment_intent,
      }),
    );
    expect(late.status).toBe(200);
    expect((await purchaseRow(s.purchaseId)).status).toBe('paid');
  });

  describe('money that cannot be applied is recorded, answered 2xx, and alerted', () => {
    const issues = (where: string, value: string) =>
      t.dataSource.query<
        {
          kind: string;
          reference: string;
          purchase_id: string | null;
          provider_payment_id: string | null;
          amount_cents: number;
          currency: string;
          resolved_at: Date | null;
        }[]
      >(
        `SELECT kind, reference, purchase_id, provider_payment_id, amount_cents, currency, resolved_at
         FROM payment_issues WHERE ${where} = $1`,
        [value],
      );
    let errors: jest.SpiedFunction<Logger['error']>;
    beforeEach(() => {
      errors = jest.spyOn(Logger.prototype, 'error');
    });
    afterEach(() => {
      errors.mockRestore();
    });
    const alerted = (text: string) =>
      errors.mock.calls.some((call) => String(call[0]).includes(text));

    it('asking again in the last minute of a checkout expires it at Stripe first', async () => {
      const buyer = await registerBuyer(t.http);
      const s = await start(buyer);
      await t.dataSource.query(
        `UPDATE purchases SET checkout_expires_at = now() + interval '30 seconds' WHERE id = $1`,
        [s.purchaseId],
      );
      const again = await t.http.post(`/purchase/${s.product.id}`).set(buyer.auth).expect(201);
      expect(again.body.purchaseId).not.toBe(s.purchaseId);
      const expire = fake.requests.find(
        (r) => r.method === 'POST' && r.path === `/v1/checkout/sessions/${s.sessionId}/expire`,
      );
      expect(expire).toBeDefined();
      expect(fake.sessions.get(s.sessionId)?.status).toBe('expired');
      expect((await purchaseRow(s.purchaseId)).status).toBe('expired');
    });

    it('a checkout Stripe reports paid when asked to expire it is fulfilled: 409 ALREADY_OWNED', async () => {
      const buyer = await registerBuyer(t.http);
      const s = await start(buyer);
      await t.dataSource.query(
        `UPDATE purchases SET checkout_expires_at = now() + interval '30 seconds' WHERE id = $1`,
        [s.purchaseId],
      );
      fake.completeSession(s.sessionId);
      const again = await t.http.post(`/purchase/${s.product.id}`).set(buyer.auth).expect(409);
      expect(again.body.code).toBe('ALREADY_OWNED');
      expect((await purchaseRow(s.purchaseId)).status).toBe('paid');
      const count = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM purchases WHERE product_id = $1',
        [s.product.id],
      );
      expect(count[0].n).toBe(1);
    });

    // Two purchases of one product by one buyer, each with a session the buyer paid.
    async function twoPaidSessions(buyer: Account) {
      const first = await start(buyer);
      // Given up on while its session stayed payable.
      await t.dataSource.query(`UPDATE purchases SET status = 'expired' WHERE id = $1`, [
        first.purchaseId,
      ]);
      const res = await t.http.post(`/purchase/${first.product.id}`).set(buyer.auth).expect(201);
      const second = { ...first, purchaseId: res.body.purchaseId, sessionId: res.body.sessionId };
      return { first, second };
    }

    it('a late payment of a given-up purchase, after the new one was paid: duplicate_payment', async () => {
      const buyer = await registerBuyer(t.http);
      const { first, second } = await twoPaidSessions(buyer);
      await deliver(stripeEvents.checkoutCompleted(sessionFields(second))).expect(200);
      const pi = randomStripeId('pi');
      const event = stripeEvents.checkoutCompleted(sessionFields(first, pi));
      const res = await deliver(event).expect(200);
      expect(res.body.outcome).toBe('ignored');
      expect((await deliver(event).expect(200)).body.outcome).toBe('duplicate');
      expect((await purchaseRow(second.purchaseId)).status).toBe('paid');
      expect((await purchaseRow(first.purchaseId)).status).toBe('expired');
      expect(await issues('reference', first.sessionId)).toEqual([
        {
          kind: 'duplicate_payment',
          reference: first.sessionId,
          purchase_id: first.purchaseId,
          provider_payment_id: pi,
          amount_cents: 1500,
          currency: 'usd',
          resolved_at: null,
        },
      ]);
      expect(alerted(first.sessionId)).toBe(true);

      // Refunding the extra payment settles the issue and leaves the buyer's purchase alone.
      await deliver(
        stripeEvents.chargeRefunded({
          payment_intent: pi,
          metadata: { purchaseId: first.purchaseId },
        }),
      ).expect(200);
      expect((await purchaseRow(second.purchaseId)).status).toBe('paid');
      expect((await issues('reference', first.sessionId))[0].resolved_at).not.toBeNull();
    });

    it('the same two payments in the other order: the first is honoured, the second recorded', async () => {
      const buyer = await registerBuyer(t.http);
      const { first, second } = await twoPaidSessions(buyer);
      expect(
        (await deliver(stripeEvents.checkoutCompleted(sessionFields(first))).expect(200)).body
          .outcome,
      ).toBe('applied');
      expect((await purchaseRow(first.purchaseId)).status).toBe('paid');
      expect((await purchaseRow(second.purchaseId)).status).toBe('expired');
      const res = await deliver(stripeEvents.checkoutCompleted(sessionFields(second))).expect(200);
      expect(res.body.outcome).toBe('ignored');
      expect((await issues('reference', second.sessionId)).map((i) => i.kind)).toEqual([
        'duplicate_payment',
      ]);
    });

    it('a second session of one purchase paid after the first: duplicate_payment', async () => {
      const buyer = await registerBuyer(t.http);
      const s = await start(buyer);
      await deliver(stripeEvents.checkoutCompleted(sessionFields(s))).expect(200);
      const other = { ...s, sessionId: randomStripeId('cs') };
      const res = await deliver(stripeEvents.checkoutCompleted(sessionFields(other))).expect(200);
      expect(res.body.outcome).toBe('ignored');
      expect(await issues('reference', other.sessionId)).toMatchObject([
        { kind: 'duplicate_payment', purchase_id: s.purchaseId },
      ]);
    });

    it('a checkout paid for another amount is not fulfilled: amount_mismatch', async () => {
      const buyer = await registerBuyer(t.http);
      const s = await start(buyer);
      const res = await deliver(
        stripeEvents.checkoutCompleted({ ...sessionFields(s), amount_total: 1 }),
      ).expect(200);
      expect(res.body.outcome).toBe('ignored');
      expect((await purchaseRow(s.purchaseId)).status).toBe('pending');
      expect(await issues('reference', s.sessionId)).toMatchObject([
        { kind: 'amount_mismatch', amount_cents: 1, currency: 'usd' },
      ]);
    });

    it('a paid checkout naming a purchase that does not exist: unknown_purchase', async () => {
      const ghost = '3f0b8a64-3b1e-4c55-9a57-6b1f2b0c9d11';
      const sessionId = randomStripeId('cs');
      await deliver(
        stripeEvents.checkoutCompleted({
          id: sessionId,
          client_reference_id: ghost,
          metadata: { purchaseId: ghost },
        }),
      ).expect(200);
      expect(await issues('reference', sessionId)).toMatchObject([{ kind: 'unknown_purchase' }]);
    });

    it.each([
      ['another currency', { currency: 'jpy' }],
      ['a charge of another amount', { amount: 150000, amount_refunded: 150000 }],
    ])('a refund in %s is not applied: refund_mismatch', async (_what, charge) => {
      const buyer = await registerBuyer(t.http);
      const s = await start(buyer);
      const pi = randomStripeId('pi');
      await deliver(stripeEvents.checkoutCompleted(sessionFields(s, pi))).expect(200);
      const res = await deliver(
        stripeEvents.chargeRefunded({ payment_intent: pi, amount: 1500, ...charge }),
      ).expect(200);
      expect(res.body.outcome).toBe('ignored');
      expect(await purchaseRow(s.purchaseId)).toMatchObject({ status: 'paid', refunded_cents: 0 });
      expect(await issues('reference', pi)).toMatchObject([
        { kind: 'refund_mismatch', purchase_id: s.purchaseId },
      ]);
      expect(alerted(pi)).toBe(true);
    });

    it('a refund in another currency that arrived before the payment is not applied either', async () => {
      const buyer = await registerBuyer(t.http);
      const s = await start(buyer);
      const pi = randomStripeId('pi');
      const refund = stripeEvents.chargeRefunded({
        payment_intent: pi,
        amount: 1500,
        currency: 'eur',
        metadata: { purchaseId: s.purchaseId },
      });
      expect((await deliver(refund).expect(200)).body.outcome).toBe('deferred');
      await deliver(stripeEvents.checkoutCompleted(sessionFields(s, pi))).expect(200);
      expect(await purchaseRow(s.purchaseId)).toMatchObject({ status: 'paid', refunded_cents: 0 });
      expect((await issues('reference', pi)).map((i) => i.kind)).toEqual(['refund_mismatch']);
    });
  });

  it('GET /purchases/:id asks Stripe at most once every few seconds per purchase', async () => {
    const buyer = await registerBuyer(t.http);
    const s = await start(buyer);
    const retrievals = () =>
      fake.requests.filter(
        (r) => r.method === 'GET' && r.path === `/v1/checkout/sessions/${s.sessionId}`,
      ).length;
    for (let i = 0; i < 30; i += 1) {
      const res = await t.http.get(`/purchases/${s.purchaseId}`).set(buyer.auth).expect(200);
      expect(res.body.status).toBe('pending');
    }
    expect(retrievals()).toBe(1);
    // Once the interval has passed, the next read asks again and sees the payment.
    fake.completeSession(s.sessionId);
    await t.dataSource.query(
      `UPDATE purchases SET provider_checked_at = now() - interval '6 seconds' WHERE id = $1`,
      [s.purchaseId],
    );
    const res = await t.http.get(`/purchases/${s.purchaseId}`).set(buyer.auth).expect(200);
    expect(res.body.status).toBe('paid');
    expect(retrievals()).toBe(2);
  });

  it('says 502 PAYMENT_PROVIDER_ERROR when Stripe fails, and the purchase can be retried', async () => {
    const buyer = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, creator.id);
    fake.setMode('error');
    try {
      const res = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(502);
      expect(res.body.code).toBe('PAYMENT_PROVIDER_ERROR');
      expect(JSON.stringify(res.body)).not.toMatch(/stripe\.com|sk_test/);
    } finally {
      fake.setMode('ok');
    }
    const retry = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
    expect(retry.body.sessionId).toMatch(/^cs_/);
    const rows = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM purchases WHERE product_id = $1',
      [product.id],
    );
    expect(rows[0].n).toBe(1);
  });
});

// Two instances of the app on one PostgreSQL server, receiving the same event at the same time.
const onServer = Boolean(process.env.TEST_DATABASE_URL);
(onServer ? describe : describe.skip)('two app instances on one database', () => {
  let fake: FakeStripe;
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    fake = await startFakeStripe();
    db = await createTestDatabase();
    // Instances behind one load balancer share their secrets. (In one process they also share
    // passport's strategy registry, so different secrets would not even work here.)
    const shared = { ...stripeEnv(fake), JWT_SECRET: 'a-jwt-secret-shared-by-both-instances-0123' };
    a = await createTestApp(shared, db);
    b = await createTestApp(shared, db);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
    await fake.close();
  });

  it('records one purchase and one event', async () => {
    const creator = await registerCreator(a.http);
    const buyer = await registerBuyer(a.http);
    const product = await insertProduct(a.dataSource, creator.id);
    const started = await a.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
    const event = stripeEvents.checkoutCompleted({
      id: started.body.sessionId,
      client_reference_id: started.body.purchaseId,
      amount_total: 1500,
      currency: 'usd',
    });
    const { body, signature } = signWebhook(event, SECRET);
    const send = (app: TestApp) =>
      app.http
        .post('/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(body);
    const answers = await Promise.all([send(a), send(b), send(a), send(b)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(answers.filter((r) => r.body.outcome === 'applied')).toHaveLength(1);
    const events = await a.dataSource.query(
      'SELECT count(*)::int AS n FROM payment_events WHERE event_id = $1',
      [event.id],
    );
    expect(events[0].n).toBe(1);
    const paid = await b.dataSource.query(
      `SELECT count(*)::int AS n FROM purchases WHERE product_id = $1 AND status = 'paid'`,
      [product.id],
    );
    expect(paid[0].n).toBe(1);
  });

  it('share the few-seconds interval between Stripe calls for one purchase', async () => {
    const creator = await registerCreator(a.http);
    const buyer = await registerBuyer(a.http);
    const product = await insertProduct(a.dataSource, creator.id);
    const started = await a.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
    const reads = await Promise.all(
      [a, b, a, b, a, b].map((app) =>
        app.http.get(`/purchases/${started.body.purchaseId}`).set(buyer.auth),
      ),
    );
    expect(reads.map((r) => r.status)).toEqual(Array(6).fill(200));
    const retrievals = fake.requests.filter(
      (r) => r.method === 'GET' && r.path === `/v1/checkout/sessions/${started.body.sessionId}`,
    );
    expect(retrievals).toHaveLength(1);
  });
});
