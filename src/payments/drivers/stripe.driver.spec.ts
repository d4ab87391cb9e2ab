import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import {
  buildCheckoutSession,
  buildEvent,
  randomStripeId,
  signWebhook,
  startFakeStripe,
  stripeEvents,
  type FakeStripe,
} from '../../../test/helpers/fake-stripe.js';
import { DomainException } from '../../common/domain.exception.js';
import { ErrorCode } from '../../common/error-codes.js';
import type { CreateCheckoutParams } from '../payments.interface.js';
import {
  checkoutWindow,
  STRIPE_API_VERSION,
  stripeIdempotencyKey,
  StripePaymentsDriver,
  toCheckoutState,
} from './stripe.driver.js';

const WEBHOOK_SECRET = 'whsec_test_secret_for_the_driver_spec';

function caught(fn: () => unknown): DomainException {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainException) return error;
    throw error;
  }
  throw new Error('expected a DomainException');
}

async function rejected(promise: Promise<unknown>): Promise<DomainException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainException) return error;
    throw error;
  }
  throw new Error('expected a DomainException');
}

const checkoutParams = (overrides: Partial<CreateCheckoutParams> = {}): CreateCheckoutParams => ({
  purchaseId: randomUUID(),
  productId: randomUUID(),
  productTitle: 'Lightroom presets, vol. 2',
  amountCents: 1999,
  currency: 'eur',
  buyerEmail: 'buyer@example.com',
  successUrl: 'https://shop.example.com/thanks',
  cancelUrl: 'https://shop.example.com/cart',
  ...overrides,
});

describe(StripePaymentsDriver.name, () => {
  const frozenNow = Date.now();
  let fake: FakeStripe;
  let driver: StripePaymentsDriver;

  beforeAll(async () => {
    // The driver logs every refusal and failure; the assertions here say what matters.
    Logger.overrideLogger(false);
    fake = await startFakeStripe();
    driver = new StripePaymentsDriver({
      secretKey: 'sk_test_driver_spec',
      webhookSecret: WEBHOOK_SECRET,
      apiBase: fake.url,
      // Short, so the hanging-provider case ends quickly; production uses 10 s.
      timeoutMs: 300,
      // One fixed instant, so repeated requests always fall in the same checkout window.
      clock: () => frozenNow,
    });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.setMode('ok');
    fake.requests.length = 0;
  });

  describe('createCheckout', () => {
    it('creates a payment-mode session priced from the purchase, keyed by its id', async () => {
      const params = checkoutParams();
      const session = await driver.createCheckout(params);
      const now = Math.floor(frozenNow / 1000);

      expect(fake.requests).toHaveLength(1);
      const [request] = fake.requests;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v1/checkout/sessions');
      expect(request.idempotencyKey).toMatch(
        new RegExp(
          `^checkout-${params.purchaseId}-${checkoutWindow(frozenNow).window}-[\\w-]{32}$`,
        ),
      );
      expect(request.headers['stripe-version']).toBe(STRIPE_API_VERSION);
      expect(request.headers.authorization).toBe('Bearer sk_test_driver_spec');
      const { expires_at, ...rest } = request.params;
      expect(rest).toEqual({
        mode: 'payment',
        line_items: [
          {
            quantity: '1',
            price_data: {
              currency: 'eur',
              unit_amount: '1999',
              product_data: { name: 'Lightroom presets, vol. 2' },
            },
          },
        ],
        client_reference_id: params.purchaseId,
        metadata: { purchaseId: params.purchaseId, productId: params.productId },
        payment_intent_data: {
          metadata: { purchaseId: params.purchaseId, productId: params.productId },
        },
        customer_email: 'buyer@example.com',
        success_url: 'https://shop.example.com/thanks',
        cancel_url: 'https://shop.example.com/cart',
      });
      // Stripe accepts 30 minutes to 24 hours after creation.
      const expiresAt = Number(expires_at);
      expect(expiresAt).toBeGreaterThan(now + 30 * 60);
      expect(expiresAt).toBeLessThan(now + 24 * 3600);

      const stored = fake.sessions.get(session.sessionId);
      expect(stored).toBeDefined();
      expect(session).toEqual({
        sessionId: stored?.id,
        url: stored?.url,
        expiresAt: new Date(expiresAt * 1000),
      });
    });

    it('sends zero-decimal amounts as they are (no multiplying by 100)', async () => {
      await driver.createCheckout(checkoutParams({ amountCents: 500, currency: 'jpy' }));
      const lineItems = fake.requests[0].params.line_items as {
        price_data: { unit_amount: string; currency: string };
      }[];
      expect(lineItems[0].price_data).toMatchObject({ unit_amount: '500', currency: 'jpy' });
    });

    it('gets the same session back when asked twice for one purchase', async () => {
      const params = checkoutParams();
      const first = await driver.createCheckout(params);
      const second = await driver.createCheckout(params);
      expect(second.sessionId).toBe(first.sessionId);
      const [firstKey, secondKey] = fake.requests.map((r) => r.idempotencyKey);
      expect(secondKey).toBe(firstKey);
    });

    it('never reuses a key with other parameters (Stripe would refuse it for 24 hours)', async () => {
      // A retry in the same window after the first answer was lost: the title was edited
      // meanwhile, or the client sent other redirect URLs.
      const params = checkoutParams();
      const first = await driver.createCheckout(params);
      for (const change of [
        { productTitle: 'Renamed meanwhile' },
        { successUrl: 'https://shop.example.com/thanks?again=1' },
        { cancelUrl: 'https://shop.example.com/other-cart' },
        { amountCents: 2099 },
        { buyerEmail: 'new-address@example.com' },
      ]) {
        const again = await driver.createCheckout({ ...params, ...change });
        expect(again.sessionId).not.toBe(first.sessionId);
      }
      const keys = fake.requests.map((r) => r.idempotencyKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.every((key) => key?.startsWith(`checkout-${params.purchaseId}-`))).toBe(true);
      // The same parameters again still get the first session back.
      expect((await driver.createCheckout(params)).sessionId).toBe(first.sessionId);
    });

    it('answers 502 PAYMENT_PROVIDER_ERROR when Stripe fails, after retrying with the same key', async () => {
      fake.setMode('error');
      const params = checkoutParams();
      const error = await rejected(driver.createCheckout(params));
      expect(error.getStatus()).toBe(502);
      expect(error.code).toBe(ErrorCode.PaymentProviderError);
      expect(error.message).toBe('The payment provider did not answer; try again');
      // One try and two retries, all with one idempotency key: never two sessions.
      expect(fake.requests).toHaveLength(3);
      expect(new Set(fake.requests.map((r) => r.idempotencyKey)).size).toBe(1);
      expect(fake.requests[0].idempotencyKey).toMatch(`checkout-${params.purchaseId}-`);
    });

    it('answers 502 when Stripe does not answer in time', async () => {
      fake.setMode('hang');
      const error = await rejected(driver.createCheckout(checkoutParams()));
      expect(error.getStatus()).toBe(502);
      expect(error.code).toBe(ErrorCode.PaymentProviderError);
      expect(fake.requests).toHaveLength(3);
    });

    it('answers 502 when the API key is refused, without passing on what Stripe said', async () => {
      const badKey = new StripePaymentsDriver({
        secretKey: 'rk_wrong',
        webhookSecret: WEBHOOK_SECRET,
        apiBase: fake.url,
      });
      const error = await rejected(badKey.createCheckout(checkoutParams()));
      expect(error.getStatus()).toBe(502);
      expect(error.message).not.toMatch(/API Key/i);
    });
  });

  describe('getCheckout', () => {
    it('reads an open session as open and unpaid', async () => {
      const params = checkoutParams();
      const { sessionId } = await driver.createCheckout(params);
      fake.requests.length = 0;
      await expect(driver.getCheckout(sessionId)).resolves.toEqual({
        sessionId,
        purchaseId: params.purchaseId,
        status: 'open',
        paymentStatus: 'unpaid',
        paymentId: null,
        amountCents: 1999,
        currency: 'eur',
      });
      expect(fake.requests[0]).toMatchObject({
        method: 'GET',
        path: `/v1/checkout/sessions/${sessionId}`,
      });
    });

    it('reads a paid session with its PaymentIntent', async () => {
      const { sessionId } = await driver.createCheckout(checkoutParams());
      const completed = fake.completeSession(sessionId);
      const state = await driver.getCheckout(sessionId);
      expect(state).toMatchObject({
        status: 'complete',
        paymentStatus: 'paid',
        paymentId: completed.payment_intent,
      });
    });

    it('takes the id of an expanded PaymentIntent, and the purchase from metadata', async () => {
      const { sessionId } = await driver.createCheckout(checkoutParams());
      const purchaseId = randomUUID();
      fake.updateSession(sessionId, {
        status: 'complete',
        payment_status: 'paid',
        client_reference_id: null,
        metadata: { purchaseId },
        payment_intent: {
          id: 'pi_test_expanded',
          object: 'payment_intent',
        } as Stripe.PaymentIntent,
      });
      await expect(driver.getCheckout(sessionId)).resolves.toMatchObject({
        purchaseId,
        paymentId: 'pi_test_expanded',
      });
    });

    it('answers 502 for a session Stripe does not know, and when Stripe fails', async () => {
      const unknown = await rejected(driver.getCheckout('cs_test_unknown'));
      expect(unknown.getStatus()).toBe(502);
      fake.setMode('error');
      const failing = await rejected(driver.getCheckout('cs_test_any'));
      expect(failing.code).toBe(ErrorCode.PaymentProviderError);
    });
  });

  describe('parseWebhook', () => {
    const deliver = (body: string, signature?: string | string[]) =>
      driver.parseWebhook({
        rawBody: Buffer.from(body),
        headers: signature === undefined ? {} : { 'stripe-signature': signature },
      });

    const expectRejected = (fn: () => unknown) => {
      const error = caught(fn);
      expect(error.getStatus()).toBe(400);
      expect(error.code).toBe(ErrorCode.WebhookSignatureInvalid);
    };

    it('accepts a correctly signed event', () => {
      const event = stripeEvents.checkoutCompleted({ client_reference_id: randomUUID() });
      const { body, signature } = signWebhook(event, WEBHOOK_SECRET);
      expect(deliver(body, signature)).toMatchObject({ id: event.id, type: 'checkout.completed' });
    });

    it('refuses a missing, empty, repeated or malformed signature header', () => {
      const { body, signature } = signWebhook(stripeEvents.checkoutCompleted({}), WEBHOOK_SECRET);
      expectRejected(() => deliver(body));
      expectRejected(() => deliver(body, ''));
      expectRejected(() => deliver(body, [signature, signature]));
      expectRejected(() => deliver(body, 'not-a-signature'));
      expectRejected(() => deliver(body, 't=abc,v1=def'));
    });

    it('refuses a signature made with another secret', () => {
      const { body, signature } = signWebhook(
        stripeEvents.checkoutCompleted({}),
        'whsec_someone_else',
      );
      expectRejected(() => deliver(body, signature));
    });

    it('refuses a signature older than five minutes', () => {
      const { body, signature } = signWebhook(stripeEvents.checkoutCompleted({}), WEBHOOK_SECRET, {
        timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
      });
      expectRejected(() => deliver(body, signature));
    });

    it('refuses a body changed after signing', () => {
      const event = stripeEvents.checkoutCompleted({ amount_total: 100 });
      const { body, signature } = signWebhook(event, WEBHOOK_SECRET);
      expectRejected(() =>
        deliver(body.replace('"amount_total":100', '"amount_total":1'), signature),
      );
      expectRejected(() => deliver(`${body} `, signature));
    });

    it('refuses everything when no webhook secret is configured', () => {
      const unconfigured = new StripePaymentsDriver({ secretKey: 'sk_test_x', apiBase: fake.url });
      const { body, signature } = signWebhook(stripeEvents.checkoutCompleted({}), WEBHOOK_SECRET);
      const error = caught(() =>
        unconfigured.parseWebhook({
          rawBody: Buffer.from(body),
          headers: { 'stripe-signature': signature },
        }),
      );
      expect(error.code).toBe(ErrorCode.WebhookSignatureInvalid);
    });

    const parse = (event: Stripe.Event) => {
      const { body, signature } = signWebhook(event, WEBHOOK_SECRET);
      return deliver(body, signature);
    };

    it('normalises the four checkout events', () => {
      const purchaseId = randomUUID();
      const paymentIntent = randomStripeId('pi');
      const session = {
        id: 'cs_test_normalise',
        client_reference_id: purchaseId,
        payment_intent: paymentIntent,
        amount_total: 1999,
        currency: 'eur',
      };
      const checkout = (status: string, paymentStatus: string) => ({
        sessionId: 'cs_test_normalise',
        purchaseId,
        status,
        paymentStatus,
        paymentId: paymentIntent,
        amountCents: 1999,
        currency: 'eur',
      });
      const completed = stripeEvents.checkoutCompleted(session);
      expect(parse(completed)).toEqual({
        id: completed.id,
        type: 'checkout.completed',
        checkout: checkout('complete', 'paid'),
      });
      const pending = stripeEvents.checkoutCompleted({ ...session, payment_status: 'unpaid' });
      expect(parse(pending)).toMatchObject({ checkout: checkout('complete', 'unpaid') });
      const succeeded = stripeEvents.checkoutAsyncSucceeded(session);
      expect(parse(succeeded)).toEqual({
        id: succeeded.id,
        type: 'checkout.async_payment_succeeded',
        checkout: checkout('complete', 'paid'),
      });
      const failed = stripeEvents.checkoutAsyncFailed(session);
      expect(parse(failed)).toEqual({
        id: failed.id,
        type: 'checkout.async_payment_failed',
        checkout: checkout('complete', 'unpaid'),
      });
      const expired = stripeEvents.checkoutExpired({ ...session, payment_intent: null });
      expect(parse(expired)).toEqual({
        id: expired.id,
        type: 'checkout.expired',
        checkout: { ...checkout('expired', 'unpaid'), paymentId: null },
      });
    });

    it('normalises full and partial refunds', () => {
      const paymentIntent = randomStripeId('pi');
      const purchaseId = randomUUID();
      const full = stripeEvents.chargeRefunded({
        payment_intent: paymentIntent,
        amount: 1999,
        amount_refunded: 1999,
        currency: 'eur',
        metadata: { purchaseId },
      });
      expect(parse(full)).toEqual({
        id: full.id,
        type: 'charge.refunded',
        paymentId: paymentIntent,
        purchaseId,
        amountRefundedCents: 1999,
        amountCents: 1999,
        currency: 'eur',
      });
      const partial = stripeEvents.chargeRefunded({
        payment_intent: paymentIntent,
        amount: 1999,
        amount_refunded: 500,
      });
      expect(parse(partial)).toMatchObject({
        amountRefundedCents: 500,
        amountCents: 1999,
        purchaseId: null,
      });
    });

    it('normalises disputes: won and warning_closed keep the money, lost and prevented do not', () => {
      const paymentIntent = randomStripeId('pi');
      const created = stripeEvents.disputeCreated({ payment_intent: paymentIntent });
      expect(parse(created)).toEqual({
        id: created.id,
        type: 'dispute.created',
        paymentId: paymentIntent,
        purchaseId: null,
      });
      const outcomes: [Stripe.Dispute.Status, boolean][] = [
        ['won', true],
        ['warning_closed', true],
        ['lost', false],
        ['prevented', false],
      ];
      for (const [status, won] of outcomes) {
        const closed = stripeEvents.disputeClosed({ payment_intent: paymentIntent, status });
        expect(parse(closed)).toEqual({
          id: closed.id,
          type: 'dispute.closed',
          paymentId: paymentIntent,
          purchaseId: null,
          won,
        });
      }
    });

    it('ignores other event types, and charges without a PaymentIntent', () => {
      const other = buildEvent('customer.created', { id: 'cus_test', object: 'customer' });
      expect(parse(other)).toEqual({
        id: other.id,
        type: 'ignored',
        providerType: 'customer.created',
      });
      const orphan = stripeEvents.chargeRefunded({ payment_intent: null as unknown as string });
      expect(parse(orphan)).toMatchObject({ type: 'ignored', providerType: 'charge.refunded' });
    });
  });

  describe('checkoutWindow', () => {
    const at = (iso: string) => checkoutWindow(Date.parse(iso));

    it('gives one window and one expiry within 5 minutes, new ones after', () => {
      expect(at('2026-05-01T10:00:00Z')).toEqual(at('2026-05-01T10:04:59.999Z'));
      expect(at('2026-05-01T10:05:00Z').window).not.toBe(at('2026-05-01T10:04:59Z').window);
    });

    it('always expires 35 to 40 minutes out, inside what Stripe accepts', () => {
      for (let second = 0; second < 5 * 60; second += 7) {
        const now = Date.parse('2026-05-01T10:00:00Z') + second * 1000;
        const ahead = checkoutWindow(now).expiresAt - now / 1000;
        expect(ahead).toBeGreaterThan(35 * 60);
        expect(ahead).toBeLessThanOrEqual(40 * 60);
      }
    });
  });

  describe('stripeIdempotencyKey', () => {
    it('is the same for the same parameters and differs when any of them changes', () => {
      const params = { a: 1, nested: { b: 'x', list: [1, 2] } };
      const key = stripeIdempotencyKey('scope', params);
      expect(stripeIdempotencyKey('scope', { a: 1, nested: { b: 'x', list: [1, 2] } })).toBe(key);
      expect(stripeIdempotencyKey('scope', { a: 2, nested: { b: 'x', list: [1, 2] } })).not.toBe(
        key,
      );
      expect(stripeIdempotencyKey('scope', { a: 1, nested: { b: 'x', list: [2, 1] } })).not.toBe(
        key,
      );
      expect(stripeIdempotencyKey('other', params)).not.toBe(key);
      // Stripe takes keys of up to 255 characters.
      expect(
        stripeIdempotencyKey(`checkout-${randomUUID()}-1780000000`, params).length,
      ).toBeLessThan(255);
    });
  });

  describe('toCheckoutState', () => {
    it('reads statuses it does not know as open and unpaid, never as paid', () => {
      const session = buildCheckoutSession({
        status: 'something_new' as Stripe.Checkout.Session.Status,
        payment_status: 'something_else' as Stripe.Checkout.Session.PaymentStatus,
      });
      expect(toCheckoutState(session)).toMatchObject({ status: 'open', paymentStatus: 'unpaid' });
    });
  });

  describe('checkReady', () => {
    it('is ready with both keys, and not without the webhook secret', async () => {
      await expect(driver.checkReady()).resolves.toBeUndefined();
      const noSecret = new StripePaymentsDriver({ secretKey: 'sk_test_x' });
      await expect(noSecret.checkReady()).rejects.toThrow(/webhook secret/);
    });
  });
});
