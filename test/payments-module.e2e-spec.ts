import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StripePaymentsDriver } from '../src/payments/drivers/stripe.driver.js';
import { PAYMENTS, type PaymentsDriver } from '../src/payments/payments.interface.js';
import { startFakeStripe, type FakeStripe } from './helpers/fake-stripe.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe('PaymentsModule with STRIPE_SECRET_KEY set', () => {
  let fake: FakeStripe;
  let t: TestApp;

  beforeAll(async () => {
    fake = await startFakeStripe();
    t = await createTestApp({
      STRIPE_SECRET_KEY: 'sk_test_module_spec',
      STRIPE_WEBHOOK_SECRET: 'whsec_module_spec',
      STRIPE_API_BASE: fake.url,
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('provides the Stripe driver, talking to STRIPE_API_BASE with the configured key', async () => {
    const payments = t.app.get<PaymentsDriver>(PAYMENTS);
    expect(payments).toBeInstanceOf(StripePaymentsDriver);
    expect(payments.name).toBe('stripe');
    await expect(payments.checkReady()).resolves.toBeUndefined();

    const purchaseId = randomUUID();
    const checkout = await payments.createCheckout({
      purchaseId,
      productId: randomUUID(),
      productTitle: 'Brushes',
      amountCents: 900,
      currency: 'usd',
      buyerEmail: 'b@example.com',
      successUrl: `${t.config.publicUrl}/checkout/success`,
      cancelUrl: `${t.config.publicUrl}/checkout/cancel`,
    });
    expect(fake.sessions.has(checkout.sessionId)).toBe(true);
    expect(fake.requests[0].headers.authorization).toBe('Bearer sk_test_module_spec');
    expect(fake.requests[0].params.client_reference_id).toBe(purchaseId);
  });

  it('creates no simulated checkout rows', async () => {
    const rows = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM simulated_checkout_sessions',
    );
    expect(rows[0].n).toBe(0);
  });
});
