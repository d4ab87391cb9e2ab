import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type Stripe from 'stripe';
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

const SECRET = 'whsec_test_platform_endpoint';
const CONNECT_SECRET = 'whsec_test_connect_endpoint';
// 5% plus a fixed 60 minor units: at the smallest prices the fixed part alone passes the price.
const FEE_BPS = 500;
const FEE_FIXED = 60;

describe('Stripe Connect payouts (PAYOUTS_MODE=connect)', () => {
  let fake: FakeStripe;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp({
      PAYMENTS_DRIVER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_connect',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_CONNECT_WEBHOOK_SECRET: CONNECT_SECRET,
      STRIPE_API_BASE: fake.url,
      PAYOUTS_MODE: 'connect',
      PLATFORM_FEE_BPS: String(FEE_BPS),
      PLATFORM_FEE_FIXED_CENTS: String(FEE_FIXED),
      CORS_ORIGINS: 'https://shop.example.com',
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const deliver = (event: object, secret = CONNECT_SECRET) => {
    const { body, signature } = signWebhook(event, secret);
    return t.http
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(body);
  };

  const requestsTo = (path: string) => fake.requests.filter((r) => r.path === path);
  const accountsOf = (creator: Account) =>
    [...fake.accounts.values()].filter((a) => a.metadata?.creatorId === creator.id);

  async function onboard(creator: Account): Promise<string> {
    await t.http.post('/creator/payouts/onboarding').set(creator.auth).send({}).expect(201);
    const [account] = accountsOf(creator);
    return account.id;
  }

  /** Stripe changes the account and tells the Connect endpoint. */
  async function accountBecomes(
    accountId: string,
    state: Partial<Stripe.Account>,
    created?: number,
  ): Promise<string> {
    const account = fake.updateAccount(accountId, state);
    const res = await deliver(stripeEvents.accountUpdated(account, created)).expect(200);
    return res.body.outcome as string;
  }

  async function enabledCreator(): Promise<{ creator: Account; accountId: string }> {
    const creator = await registerCreator(t.http);
    const accountId = await onboard(creator);
    await accountBecomes(accountId, accountStates.enabled());
    return { creator, accountId };
  }

  const storedAccount = async (creator: Account) =>
    (
      await t.dataSource.query(
        `SELECT account_id, charges_enabled, payouts_enabled, details_submitted, requirements_due
         FROM payout_accounts WHERE creator_id = $1`,
        [creator.id],
      )
    )[0] as { account_id: string; charges_enabled: boolean; requirements_due: string[] };

  const buy = (buyer: Account, product: ProductRow) =>
    t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});

  const catalogueItem = async (product: ProductRow) =>
    (await t.http.get(`/products/${product.id}`).expect(200)).body as { purchasable: boolean };

  describe('GET /creator/payouts', () => {
    it('needs a creator token', async () => {
      await t.http.get('/creator/payouts').expect(401);
      const buyer = await registerBuyer(t.http);
      const res = await t.http.get('/creator/payouts').set(buyer.auth).expect(403);
      expect(res.body.code).toBe('FORBIDDEN_ROLE');
    });

    it('is not_started before onboarding, without asking Stripe', async () => {
      const creator = await registerCreator(t.http);
      const before = fake.requests.length;
      const res = await t.http.get('/creator/payouts').set(creator.auth).expect(200);
      expect(res.body).toEqual({
        mode: 'connect',
        status: 'not_started',
        chargesEnabled: false,
        payoutsEnabled: false,
        requirementsDue: [],
      });
      expect(fake.requests.length).toBe(before);
    });
  });

  describe('POST /creator/payouts/onboarding', () => {
    it('creates one Express account and answers a fresh Account Link on every call', async () => {
      const creator = await registerCreator(t.http);
      const first = await t.http
        .post('/creator/payouts/onboarding')
        .set(creator.auth)
        .send({
          returnUrl: 'https://shop.example.com/dashboard',
          refreshUrl: 'https://shop.example.com/dashboard?payouts=refresh',
        })
        .expect(201);
      const [created] = requestsTo('/v1/accounts').slice(-1);
      // https://docs.stripe.com/api/accounts/create
      expect(created.method).toBe('POST');
      expect(created.params).toEqual({
        type: 'express',
        email: creator.email,
        capabilities: { card_payments: { requested: 'true' }, transfers: { requested: 'true' } },
        metadata: { creatorId: creator.id },
      });
      expect(created.idempotencyKey).toMatch(
        new RegExp(`^connect-account-${creator.id}-[\\w-]{32}$`),
      );
      const accounts = accountsOf(creator);
      expect(accounts).toHaveLength(1);
      // https://docs.stripe.com/api/account_links/create
      const [link] = requestsTo('/v1/account_links').slice(-1);
      expect(link.params).toEqual({
        account: accounts[0].id,
        type: 'account_onboarding',
        return_url: 'https://shop.example.com/dashboard',
        refresh_url: 'https://shop.example.com/dashboard?payouts=refresh',
      });
      expect(first.body.url).toMatch(`https://connect.stripe.com/setup/e/${accounts[0].id}/`);
      expect(Date.parse(first.body.expiresAt)).toBeGreaterThan(Date.now());

      const second = await t.http
        .post('/creator/payouts/onboarding')
        .set(creator.auth)
        .send({})
        .expect(201);
      expect(second.body.url).not.toBe(first.body.url);
      expect(accountsOf(creator)).toHaveLength(1);
      const [again] = requestsTo('/v1/account_links').slice(-1);
      expect(again.params).toMatchObject({
        account: accounts[0].id,
        return_url: `${t.config.publicUrl}/payouts/return`,
        refresh_url: `${t.config.publicUrl}/payouts/refresh`,
      });
      expect((await storedAccount(creator)).account_id).toBe(accounts[0].id);
    });

    it('creates one account when the first calls race', async () => {
      const creator = await registerCreator(t.http);
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.http.post('/creator/payouts/onboarding').set(creator.auth).send({}),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
      const accounts = accountsOf(creator);
      expect(accounts).toHaveLength(1);
      for (const answer of answers) expect(answer.body.url).toContain(accounts[0].id);
      const rows = await t.dataSource.query(
        'SELECT account_id FROM payout_accounts WHERE creator_id = $1',
        [creator.id],
      );
      expect(rows).toEqual([{ account_id: accounts[0].id }]);
    });

    it('refuses a return URL off the allowed origins, creating nothing', async () => {
      const creator = await registerCreator(t.http);
      const res = await t.http
        .post('/creator/payouts/onboarding')
        .set(creator.auth)
        .send({ returnUrl: 'https://evil.example.net/phish' })
        .expect(400);
      expect(res.body.code).toBe('REDIRECT_NOT_ALLOWED');
      await t.http
        .post('/creator/payouts/onboarding')
        .set(creator.auth)
        .send({ refreshUrl: 42 })
        .expect(400);
      expect(accountsOf(creator)).toHaveLength(0);
      expect(await storedAccount(creator)).toBeUndefined();
    });

    it('is for creators only', async () => {
      await t.http.post('/creator/payouts/onboarding').send({}).expect(401);
      const buyer = await registerBuyer(t.http);
      await t.http.post('/creator/payouts/onboarding').set(buyer.auth).send({}).expect(403);
    });
  });

  describe('status from account.updated and from Stripe', () => {
    it('goes not_started → pending → enabled → restricted → enabled', async () => {
      const creator = await registerCreator(t.http);
      const accountId = await onboard(creator);
      const status = async () =>
        (await t.http.get('/creator/payouts').set(creator.auth).expect(200)).body;

      expect(await status()).toMatchObject({
        status: 'not_started',
        chargesEnabled: false,
        requirementsDue: ['business_type', 'external_account', 'tos_acceptance.date'],
      });
      // https://docs.stripe.com/api/accounts/retrieve: the status call re-reads the account.
      expect(requestsTo(`/v1/accounts/${accountId}`).at(-1)?.method).toBe('GET');

      expect(await accountBecomes(accountId, accountStates.submitted())).toBe('applied');
      expect(await status()).toEqual({
        mode: 'connect',
        status: 'pending',
        chargesEnabled: false,
        payoutsEnabled: false,
        requirementsDue: [],
      });
      expect(await accountBecomes(accountId, accountStates.enabled())).toBe('applied');
      expect(await status()).toEqual({
        mode: 'connect',
        status: 'enabled',
        chargesEnabled: true,
        payoutsEnabled: true,
        requirementsDue: [],
      });
      expect(await accountBecomes(accountId, accountStates.restricted())).toBe('applied');
      expect(await status()).toEqual({
        mode: 'connect',
        status: 'restricted',
        chargesEnabled: false,
        payoutsEnabled: false,
        requirementsDue: ['individual.verification.document'],
      });
      expect(await accountBecomes(accountId, accountStates.enabled())).toBe('applied');
      expect((await status()).status).toBe('enabled');
    });

    it('keeps the status current from events alone (no re-read)', async () => {
      const creator = await registerCreator(t.http);
      const accountId = await onboard(creator);
      await accountBecomes(accountId, accountStates.enabled());
      expect(await storedAccount(creator)).toMatchObject({
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
        requirements_due: [],
      });
    });

    it('records a duplicated event once and changes nothing the second time', async () => {
      const creator = await registerCreator(t.http);
      const accountId = await onboard(creator);
      const event = stripeEvents.accountUpdated(
        fake.updateAccount(accountId, accountStates.enabled()),
      );
      expect((await deliver(event).expect(200)).body.outcome).toBe('applied');
      expect((await deliver(event).expect(200)).body.outcome).toBe('duplicate');
      const rows = await t.dataSource.query(
        `SELECT type, processed_at IS NOT NULL AS processed FROM payment_events WHERE event_id = $1`,
        [event.id],
      );
      expect(rows).toEqual([{ type: 'account.updated', processed: true }]);
    });

    it('keeps the newer state when events arrive out of order', async () => {
      const creator = await registerCreator(t.http);
      const accountId = await onboard(creator);
      const now = Math.floor(Date.now() / 1000);
      const older = stripeEvents.accountUpdated(
        { ...fake.accounts.get(accountId)!, ...accountStates.submitted() },
        now + 10,
      );
      const newer = stripeEvents.accountUpdated(
        fake.updateAccount(accountId, accountStates.enabled()),
        now + 20,
      );
      expect((await deliver(newer).expect(200)).body.outcome).toBe('applied');
      expect((await deliver(older).expect(200)).body.outcome).toBe('ignored');
      expect(await storedAccount(creator)).toMatchObject({ charges_enabled: true });
      // Both were recorded, once each.
      const rows = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM payment_events WHERE event_id IN ($1, $2)',
        [older.id, newer.id],
      );
      expect(rows[0].n).toBe(2);
    });

    it('refuses an event signed with another secret, and changes nothing', async () => {
      const creator = await registerCreator(t.http);
      const accountId = await onboard(creator);
      const event = stripeEvents.accountUpdated({
        ...fake.accounts.get(accountId)!,
        ...accountStates.enabled(),
      });
      const res = await deliver(event, 'whsec_someone_else').expect(400);
      expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      expect(await storedAccount(creator)).toMatchObject({ charges_enabled: false });
      const rows = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM payment_events WHERE event_id = $1',
        [event.id],
      );
      expect(rows[0].n).toBe(0);
    });

    it('accepts platform events signed with the platform secret on the same route', async () => {
      const res = await deliver(stripeEvents.disputeCreated({ payment_intent: 'pi_x' }), SECRET);
      expect(res.status).toBe(200);
    });

    it('ignores an account that is not one of ours', async () => {
      const stranger = { ...accountStates.enabled(), id: 'acct_test_stranger' };
      const res = await deliver(stripeEvents.accountUpdated(stranger as Stripe.Account));
      expect(res.status).toBe(200);
      expect(res.body.outcome).toBe('ignored');
    });
  });

  describe('POST /creator/payouts/dashboard', () => {
    it('answers 409 before the details are submitted, then an Express login link', async () => {
      const creator = await registerCreator(t.http);
      const none = await t.http.post('/creator/payouts/dashboard').set(creator.auth).expect(409);
      expect(none.body.code).toBe('PAYOUTS_NOT_STARTED');
      const accountId = await onboard(creator);
      await t.http.post('/creator/payouts/dashboard').set(creator.auth).expect(409);
      await accountBecomes(accountId, accountStates.submitted());
      const res = await t.http.post('/creator/payouts/dashboard').set(creator.auth).expect(201);
      expect(res.body.url).toMatch(`https://connect.stripe.com/express/${accountId}/`);
      // https://docs.stripe.com/api/accounts/login_link/create
      const [request] = requestsTo(`/v1/accounts/${accountId}/login_links`);
      expect(request.method).toBe('POST');
    });

    it('is for creators only', async () => {
      await t.http.post('/creator/payouts/dashboard').expect(401);
      const buyer = await registerBuyer(t.http);
      await t.http.post('/creator/payouts/dashboard').set(buyer.auth).expect(403);
    });
  });

  describe('selling', () => {
    it('answers 409 CREATOR_CANNOT_ACCEPT_PAYMENTS before onboarding; free products sell', async () => {
      const creator = await registerCreator(t.http);
      const buyer = await registerBuyer(t.http);
      const paid = await insertProduct(t.dataSource, creator.id, { priceCents: 1500 });
      const free = await insertProduct(t.dataSource, creator.id, { priceCents: 0 });
      const sessionsBefore = requestsTo('/v1/checkout/sessions').length;

      const res = await buy(buyer, paid).expect(409);
      expect(res.body).toEqual({
        statusCode: 409,
        code: 'CREATOR_CANNOT_ACCEPT_PAYMENTS',
        message: expect.any(String),
      });
      expect(requestsTo('/v1/checkout/sessions')).toHaveLength(sessionsBefore);
      const rows = await t.dataSource.query('SELECT id FROM purchases WHERE product_id = $1', [
        paid.id,
      ]);
      expect(rows).toEqual([]);
      expect((await catalogueItem(paid)).purchasable).toBe(false);

      expect((await buy(buyer, free).expect(201)).body.status).toBe('paid');
      expect((await catalogueItem(free)).purchasable).toBe(true);

      // Onboarded but still being verified: still no sale.
      const accountId = await onboard(creator);
      await accountBecomes(accountId, accountStates.submitted());
      await buy(buyer, paid).expect(409);
      await accountBecomes(accountId, accountStates.enabled());
      expect((await catalogueItem(paid)).purchasable).toBe(true);
      await buy(buyer, paid).expect(201);
    });

    it('stops new sales when the account is restricted; buyers keep what they bought', async () => {
      const { creator, accountId } = await enabledCreator();
      const early = await registerBuyer(t.http);
      const late = await registerBuyer(t.http);
      const product = await insertProduct(t.dataSource, creator.id, { priceCents: 2000 });
      const started = await buy(early, product).expect(201);
      fake.completeSession(started.body.sessionId);
      await t.http.get(`/purchases/${started.body.purchaseId}`).set(early.auth).expect(200);

      await accountBecomes(accountId, accountStates.restricted());
      expect((await buy(late, product).expect(409)).body.code).toBe(
        'CREATOR_CANNOT_ACCEPT_PAYMENTS',
      );
      expect((await catalogueItem(product)).purchasable).toBe(false);
      const list = await t.http.get('/products').query({ creatorId: creator.id }).expect(200);
      expect(list.body.items).toEqual([expect.objectContaining({ purchasable: false })]);

      const library = await t.http.get('/mypurchases').set(early.auth).expect(200);
      expect(library.body.items).toEqual([
        expect.objectContaining({ status: 'paid', hasAccess: true }),
      ]);
      await t.http.get(`/download/${product.id}`).set(early.auth).expect(200);
    });

    it('sends each sale to its creator’s account with the platform fee', async () => {
      const one = await enabledCreator();
      const two = await enabledCreator();
      const buyer = await registerBuyer(t.http);
      const a = await insertProduct(t.dataSource, one.creator.id, { priceCents: 1000 });
      const b = await insertProduct(t.dataSource, two.creator.id, { priceCents: 2490 });

      const sent: Record<string, unknown>[] = [];
      for (const product of [a, b]) {
        await buy(buyer, product).expect(201);
        sent.push(requestsTo('/v1/checkout/sessions').at(-1)!.params);
      }
      // https://docs.stripe.com/connect/destination-charges (Checkout): the fee and the
      // destination go on payment_intent_data.
      expect(sent[0].payment_intent_data).toEqual({
        metadata: expect.any(Object),
        application_fee_amount: String(50 + FEE_FIXED),
        transfer_data: { destination: one.accountId },
      });
      expect(sent[1].payment_intent_data).toEqual({
        metadata: expect.any(Object),
        application_fee_amount: String(125 + FEE_FIXED), // 124.5 rounds half up
        transfer_data: { destination: two.accountId },
      });
      const rows = await t.dataSource.query(
        `SELECT product_id, amount_cents, fee_cents, transfer_destination FROM purchases
         WHERE buyer_id = $1 ORDER BY amount_cents`,
        [buyer.id],
      );
      expect(rows).toEqual([
        {
          product_id: a.id,
          amount_cents: 1000,
          fee_cents: 110,
          transfer_destination: one.accountId,
        },
        {
          product_id: b.id,
          amount_cents: 2490,
          fee_cents: 185,
          transfer_destination: two.accountId,
        },
      ]);
    });

    it.each([
      // price, currency, fee: 5% rounded half up to the minor unit, plus 60, at most the price
      [50, 'usd', 50], // 2.5 → 3, + 60 = 63: capped at the price
      [100, 'usd', 65],
      [1990, 'usd', 160], // 99.5 → 100
      [1989, 'eur', 159], // 99.45 → 99
      [999, 'gbp', 110], // 49.95 → 50
      [50, 'jpy', 50], // ¥2.5 → ¥3, + ¥60: capped at ¥50
      [1000, 'jpy', 110], // zero-decimal: ¥50 + ¥60
      [1010, 'jpy', 111], // ¥50.5 → ¥51
      [99_999_999, 'usd', 5_000_060],
    ])('takes the fee on %i %s as %i', async (price, currency, fee) => {
      const { creator, accountId } = await enabledCreator();
      const buyer = await registerBuyer(t.http);
      const product = await insertProduct(t.dataSource, creator.id, {
        priceCents: price,
        currency,
      });
      const res = await buy(buyer, product).expect(201);
      const request = requestsTo('/v1/checkout/sessions').at(-1)!;
      expect(request.params).toMatchObject({
        line_items: [{ price_data: { currency, unit_amount: String(price) } }],
        payment_intent_data: {
          application_fee_amount: String(fee),
          transfer_data: { destination: accountId },
        },
      });
      const [row] = await t.dataSource.query('SELECT fee_cents FROM purchases WHERE id = $1', [
        res.body.purchaseId,
      ]);
      expect(row.fee_cents).toBe(fee);
    });
  });
});

describe('payouts in the default platform mode', () => {
  let fake: FakeStripe;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp({
      PAYMENTS_DRIVER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_platform',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_BASE: fake.url,
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('is always enabled, has nothing to onboard, and sells with no transfer or fee', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const status = await t.http.get('/creator/payouts').set(creator.auth).expect(200);
    expect(status.body).toEqual({
      mode: 'platform',
      status: 'enabled',
      chargesEnabled: true,
      payoutsEnabled: true,
      requirementsDue: [],
    });
    await t.http.post('/creator/payouts/onboarding').set(creator.auth).send({}).expect(409);
    await t.http.post('/creator/payouts/dashboard').set(creator.auth).expect(409);

    const product = await insertProduct(t.dataSource, creator.id, { priceCents: 1500 });
    expect((await t.http.get(`/products/${product.id}`).expect(200)).body.purchasable).toBe(true);
    const res = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(201);
    const request = fake.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(request.params.payment_intent_data).toEqual({ metadata: expect.any(Object) });
    const [row] = await t.dataSource.query(
      'SELECT fee_cents, transfer_destination FROM purchases WHERE id = $1',
      [res.body.purchaseId],
    );
    expect(row).toEqual({ fee_cents: 0, transfer_destination: null });
    expect(fake.requests.filter((r) => r.path.startsWith('/v1/account'))).toEqual([]);
  });
});
