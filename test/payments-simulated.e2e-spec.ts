import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainException } from '../src/common/domain.exception.js';
import { ErrorCode } from '../src/common/error-codes.js';
import {
  SimulatedPaymentsDriver,
  type SimulatedPayOutcome,
} from '../src/payments/drivers/simulated.driver.js';
import {
  PAYMENTS,
  type CreateCheckoutParams,
  type PaymentsDriver,
} from '../src/payments/payments.interface.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

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
  productTitle: 'Field recordings: rain on tin',
  amountCents: 1250,
  currency: 'gbp',
  buyerEmail: 'listener@example.com',
  successUrl: 'https://shop.example.com/thanks',
  cancelUrl: 'https://shop.example.com/cart',
  ...overrides,
});

describe('simulated payments driver', () => {
  let t: TestApp;
  let payments: SimulatedPaymentsDriver;

  beforeAll(async () => {
    t = await createTestApp({ PUBLIC_URL: 'https://files.example.com' });
    const driver = t.app.get<PaymentsDriver>(PAYMENTS);
    if (!(driver instanceof SimulatedPaymentsDriver))
      throw new Error('expected the simulated driver');
    payments = driver;
  });
  afterAll(async () => {
    await t.close();
  });

  const rowCount = async () =>
    Number(
      (await t.dataSource.query('SELECT count(*)::int AS n FROM simulated_checkout_sessions'))[0].n,
    );
  const pastExpiry = (sessionId: string) =>
    t.dataSource.query(
      `UPDATE simulated_checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [sessionId],
    );
  const paidSession = async (amountCents = 1250) => {
    const params = checkoutParams({ amountCents });
    const { sessionId } = await payments.createCheckout(params);
    const { session } = await payments.pay(sessionId);
    return { params, sessionId, paymentId: session.paymentId as string };
  };

  it('is the driver chosen when no Stripe key is set', () => {
    expect(payments.name).toBe('simulated');
  });

  describe('createCheckout and getCheckout', () => {
    it('opens a session on the app’s own checkout page, 30 minutes out', async () => {
      const params = checkoutParams();
      const before = Date.now();
      const checkout = await payments.createCheckout(params);
      expect(checkout.sessionId).toMatch(/^sim_cs_[0-9a-f]{24}$/);
      expect(checkout.url).toBe(
        `https://files.example.com/checkout/simulated/${checkout.sessionId}`,
      );
      // The database's clock sets the expiry; allow for the two clocks differing a little.
      const ttl = checkout.expiresAt.getTime() - before;
      expect(ttl).toBeGreaterThan(29 * 60 * 1000);
      expect(ttl).toBeLessThan(31 * 60 * 1000);

      await expect(payments.getCheckout(checkout.sessionId)).resolves.toEqual({
        sessionId: checkout.sessionId,
        purchaseId: params.purchaseId,
        status: 'open',
        paymentStatus: 'unpaid',
        paymentId: null,
        amountCents: 1250,
        currency: 'gbp',
      });
      await expect(payments.getSession(checkout.sessionId)).resolves.toEqual({
        sessionId: checkout.sessionId,
        purchaseId: params.purchaseId,
        productId: params.productId,
        productTitle: 'Field recordings: rain on tin',
        amountCents: 1250,
        currency: 'gbp',
        buyerEmail: 'listener@example.com',
        status: 'open',
        paymentStatus: 'unpaid',
        paymentId: null,
        successUrl: 'https://shop.example.com/thanks',
        cancelUrl: 'https://shop.example.com/cart',
        expiresAt: checkout.expiresAt,
      });
    });

    it('gives a fresh session id each time', async () => {
      const params = checkoutParams();
      const first = await payments.createCheckout(params);
      const second = await payments.createCheckout(params);
      expect(second.sessionId).not.toBe(first.sessionId);
    });

    it('does not know sessions it never made', async () => {
      await expect(payments.getSession('sim_cs_unknown')).resolves.toBeNull();
      const error = await rejected(payments.getCheckout('sim_cs_unknown'));
      expect(error.getStatus()).toBe(404);
      expect(error.code).toBe(ErrorCode.NotFound);
    });

    it('refuses every webhook: the simulated provider sends none', () => {
      expect(() => payments.parseWebhook({ rawBody: Buffer.from('{}'), headers: {} })).toThrow(
        expect.objectContaining({ code: ErrorCode.WebhookSignatureInvalid }),
      );
    });
  });

  describe('pay', () => {
    it('completes and pays the session, returning checkout.completed', async () => {
      const params = checkoutParams();
      const { sessionId } = await payments.createCheckout(params);
      const result = await payments.pay(sessionId);
      expect(result.result).toBe('completed');
      expect(result.session).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
      const paymentId = result.session.paymentId;
      expect(paymentId).toMatch(/^sim_pi_[0-9a-f]{24}$/);
      expect(result.events).toEqual([
        {
          id: expect.stringMatching(/^sim_evt_[0-9a-f]{24}$/),
          type: 'checkout.completed',
          checkout: {
            sessionId,
            purchaseId: params.purchaseId,
            status: 'complete',
            paymentStatus: 'paid',
            paymentId,
            amountCents: 1250,
            currency: 'gbp',
          },
        },
      ]);
      // What a success-page re-check would read from the provider afterwards.
      await expect(payments.getCheckout(sessionId)).resolves.toMatchObject({
        status: 'complete',
        paymentStatus: 'paid',
        paymentId,
      });
    });

    it('pays once when Pay is clicked many times at once', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      const results = await Promise.all(Array.from({ length: 8 }, () => payments.pay(sessionId)));
      const completed = results.filter((r) => r.result === 'completed');
      expect(completed).toHaveLength(1);
      expect(completed[0].events).toHaveLength(1);
      const others = results.filter((r) => r.result !== 'completed');
      expect(others.every((r) => r.result === 'not_open' && r.events.length === 0)).toBe(true);
      // The late clicks see the paid session, so the page can send them to the success URL.
      expect(others.every((r) => r.session.paymentStatus === 'paid')).toBe(true);
    });

    it('declines without changing anything, and a later Pay still works', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      const declined = await payments.pay(sessionId, { outcome: 'decline' });
      expect(declined).toMatchObject({
        result: 'declined',
        events: [],
        reason: expect.stringMatching(/declined/),
        session: { status: 'open', paymentStatus: 'unpaid', paymentId: null },
      });
      const paid = await payments.pay(sessionId);
      expect(paid.result).toBe('completed');
    });

    it('settles an asynchronous payment in a second event: succeeded', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      const result = await payments.pay(sessionId, { outcome: 'async_success' });
      expect(result.result).toBe('completed');
      expect(result.events.map((e) => e.type)).toEqual([
        'checkout.completed',
        'checkout.async_payment_succeeded',
      ]);
      expect(result.events[0]).toMatchObject({
        checkout: { status: 'complete', paymentStatus: 'unpaid' },
      });
      expect(result.events[1]).toMatchObject({
        checkout: { status: 'complete', paymentStatus: 'paid' },
      });
      expect(new Set(result.events.map((e) => e.id)).size).toBe(2);
      await expect(payments.getCheckout(sessionId)).resolves.toMatchObject({
        paymentStatus: 'paid',
      });
    });

    it('settles an asynchronous payment in a second event: failed', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      const result = await payments.pay(sessionId, { outcome: 'async_failure' });
      expect(result.events.map((e) => e.type)).toEqual([
        'checkout.completed',
        'checkout.async_payment_failed',
      ]);
      expect(result.events[1]).toMatchObject({
        checkout: { status: 'complete', paymentStatus: 'unpaid' },
      });
      await expect(payments.getCheckout(sessionId)).resolves.toMatchObject({
        status: 'complete',
        paymentStatus: 'unpaid',
      });
    });

    it('refuses an outcome it does not know, changing nothing', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      const outcome = 'free' as SimulatedPayOutcome;
      const error = await rejected(payments.pay(sessionId, { outcome }));
      expect(error.getStatus()).toBe(400);
      expect(error.code).toBe(ErrorCode.ValidationFailed);
      await expect(payments.getCheckout(sessionId)).resolves.toMatchObject({
        status: 'open',
        paymentStatus: 'unpaid',
      });
    });

    it('does not take payment for an unknown session', async () => {
      expect((await rejected(payments.pay('sim_cs_unknown'))).getStatus()).toBe(404);
      const declined = rejected(payments.pay('sim_cs_unknown', { outcome: 'decline' }));
      expect((await declined).getStatus()).toBe(404);
    });
  });

  describe('cancel', () => {
    it('sends the buyer to the cancel URL and, like Stripe, leaves the session open', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      await expect(payments.cancel(sessionId)).resolves.toEqual({
        cancelUrl: 'https://shop.example.com/cart',
      });
      await expect(payments.getCheckout(sessionId)).resolves.toMatchObject({ status: 'open' });
      expect((await payments.pay(sessionId)).result).toBe('completed');
      expect((await rejected(payments.cancel('sim_cs_unknown'))).getStatus()).toBe(404);
    });
  });

  describe('expiry', () => {
    it('reads a lapsed session as expired and will not take payment for it', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      await pastExpiry(sessionId);
      await expect(payments.getCheckout(sessionId)).resolves.toMatchObject({
        status: 'expired',
        paymentStatus: 'unpaid',
      });
      const result = await payments.pay(sessionId);
      expect(result).toMatchObject({ result: 'not_open', events: [] });
      expect(result.session.status).toBe('expired');
      const declined = await payments.pay(sessionId, { outcome: 'decline' });
      expect(declined.result).toBe('not_open');
    });

    it('expireStale closes lapsed open sessions once, with one checkout.expired each', async () => {
      const lapsed = await payments.createCheckout(checkoutParams());
      const fresh = await payments.createCheckout(checkoutParams());
      const paid = await payments.createCheckout(checkoutParams());
      await payments.pay(paid.sessionId);
      await pastExpiry(lapsed.sessionId);
      await pastExpiry(paid.sessionId);

      const events = await payments.expireStale();
      const mine = events.filter((e) => e.checkout.sessionId === lapsed.sessionId);
      expect(mine).toEqual([
        {
          id: expect.stringMatching(/^sim_evt_/),
          type: 'checkout.expired',
          checkout: expect.objectContaining({ status: 'expired', paymentStatus: 'unpaid' }),
        },
      ]);
      const ids = events.map((e) => e.checkout.sessionId);
      expect(ids).not.toContain(fresh.sessionId);
      expect(ids).not.toContain(paid.sessionId);
      expect(await payments.expireStale()).toEqual([]);
      await expect(payments.getCheckout(paid.sessionId)).resolves.toMatchObject({
        status: 'complete',
      });
    });
  });

  describe('refunds and disputes', () => {
    it('refunds in part, then the rest, reporting the running total', async () => {
      const { params, paymentId } = await paidSession(1250);
      const partial = await payments.refund(paymentId, 250);
      expect(partial).toEqual({
        id: expect.stringMatching(/^sim_evt_/),
        type: 'charge.refunded',
        paymentId,
        purchaseId: params.purchaseId,
        amountRefundedCents: 250,
        amountCents: 1250,
        currency: 'gbp',
      });
      const rest = await payments.refund(paymentId);
      expect(rest).toMatchObject({ amountRefundedCents: 1250, amountCents: 1250 });
      expect(rest.id).not.toBe(partial.id);
    });

    it('refuses to refund more than was paid, nothing, or an unknown payment', async () => {
      const { paymentId } = await paidSession(1000);
      expect((await rejected(payments.refund(paymentId, 1001))).getStatus()).toBe(409);
      expect((await rejected(payments.refund(paymentId, 0))).getStatus()).toBe(400);
      expect((await rejected(payments.refund(paymentId, 1.5))).getStatus()).toBe(400);
      await payments.refund(paymentId);
      expect((await rejected(payments.refund(paymentId))).getStatus()).toBe(409);
      expect((await rejected(payments.refund(paymentId, 1))).getStatus()).toBe(409);
      expect((await rejected(payments.refund('sim_pi_unknown'))).getStatus()).toBe(404);
    });

    it('refunds concurrently never more than was paid', async () => {
      const { paymentId } = await paidSession(1000);
      const attempts = await Promise.allSettled(
        Array.from({ length: 6 }, () => payments.refund(paymentId, 400)),
      );
      const refunds = attempts.filter((a) => a.status === 'fulfilled');
      expect(refunds).toHaveLength(2);
    });

    it('does not refund or dispute a payment that never settled', async () => {
      const { sessionId } = await payments.createCheckout(checkoutParams());
      const { session } = await payments.pay(sessionId, { outcome: 'async_failure' });
      const paymentId = session.paymentId as string;
      expect((await rejected(payments.refund(paymentId))).getStatus()).toBe(409);
      expect((await rejected(payments.dispute(paymentId))).getStatus()).toBe(409);
    });

    it('opens a dispute once and closes it once, won or lost', async () => {
      const { params, paymentId } = await paidSession();
      const created = await payments.dispute(paymentId);
      expect(created).toEqual({
        id: expect.stringMatching(/^sim_evt_/),
        type: 'dispute.created',
        paymentId,
        purchaseId: params.purchaseId,
      });
      expect((await rejected(payments.dispute(paymentId))).getStatus()).toBe(409);
      const closed = await payments.closeDispute(paymentId, true);
      expect(closed).toEqual({
        id: expect.stringMatching(/^sim_evt_/),
        type: 'dispute.closed',
        paymentId,
        purchaseId: params.purchaseId,
        won: true,
      });
      expect((await rejected(payments.closeDispute(paymentId, false))).getStatus()).toBe(409);

      const other = await paidSession();
      await payments.dispute(other.paymentId);
      await expect(payments.closeDispute(other.paymentId, false)).resolves.toMatchObject({
        won: false,
      });
      expect((await rejected(payments.closeDispute('sim_pi_unknown', true))).getStatus()).toBe(404);
    });
  });

  it('wrote only what the calls above created', async () => {
    // Each createCheckout is one row; nothing else writes to the table.
    expect(await rowCount()).toBeGreaterThan(0);
    const orphans = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM simulated_checkout_sessions WHERE payment_status = 'paid' AND payment_id IS NULL`,
    );
    expect(orphans[0].n).toBe(0);
  });
});
