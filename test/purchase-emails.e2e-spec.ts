import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MailService } from '../src/mail/mail.service.js';
import { MailWorker } from '../src/mail/mail-worker.service.js';
import { buyThroughSimulatedCheckout } from './authz/fixtures.js';
import { insertProduct } from './helpers/catalogue-factories.js';
import { createProduct, registerBuyer, registerCreator } from './helpers/factories.js';
import {
  type FakeStripe,
  randomStripeId,
  signWebhook,
  startFakeStripe,
  stripeEvents,
} from './helpers/fake-stripe.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const WEB_URL = 'https://shop.example.com/app';
const SECRET = 'whsec_test_secret_for_purchase_emails';

async function drain(t: TestApp): Promise<void> {
  const worker = t.app.get(MailWorker);
  while ((await worker.runOnce()) > 0);
}

describe('purchase emails with the simulated checkout', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createTestApp({ SMTP_URL: smtp.url, WEB_URL });
  });
  afterAll(async () => {
    await t.close();
    await smtp.down();
  });

  it('one receipt and one new-sale notice, however many times Pay is clicked at once', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const product = await createProduct(t.http, creator, {
      title: 'Film presets <vol. 2>',
      priceCents: 1500,
      currency: 'eur',
    });
    const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
    const { sessionId, purchaseId } = started.body as { sessionId: string; purchaseId: string };
    const clicks = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.http
          .post(`/checkout/simulated/${sessionId}/pay`)
          .type('form')
          .send({ outcome: 'success' }),
      ),
    );
    expect(clicks.map((c) => c.status)).toEqual(Array(6).fill(303));
    // The buyer's success page polls too: the same fulfilment, nothing more to send.
    await t.http.get(`/purchases/${purchaseId}`).set(buyer.auth).expect(200);
    await drain(t);

    const receipts = await smtp.waitFor(buyer.email, 2);
    const receipt = receipts.find((m) => m.subject.startsWith('Your receipt'))!;
    expect(receipts.map((m) => m.subject).sort()).toEqual([
      'Confirm your email address',
      'Your receipt: Film presets <vol. 2>',
    ]);
    expect(receipt.text).toContain('Film presets <vol. 2>');
    expect(receipt.text).toContain('€15.00');
    expect(receipt.text).toContain(purchaseId);
    expect(receipt.text).toContain(`${WEB_URL}/library`);
    expect(receipt.html).toContain('Film presets &lt;vol. 2&gt;');
    expect(receipt.html).toContain(`href="${WEB_URL}/library"`);

    const sales = smtp.to(creator.email).filter((m) => m.subject.startsWith('New sale'));
    expect(sales.map((m) => m.subject)).toEqual(['New sale: Film presets <vol. 2> (€15.00)']);
    expect(sales[0].text).not.toContain(buyer.email);
  });

  it('a free product: one receipt and one new-sale notice, however many times it is claimed at once', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, creator.id, {
      title: 'Free <sampler>',
      priceCents: 0,
      currency: 'usd',
    });
    const claims = await Promise.all(
      Array.from({ length: 6 }, () => t.http.post(`/purchase/${product.id}`).set(buyer.auth)),
    );
    // One claim makes the purchase; the others find it made and owned.
    expect(claims.map((c) => c.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const { purchaseId } = claims.find((c) => c.status === 201)!.body as { purchaseId: string };
    const queued: { cause_key: string }[] = await t.dataSource.query(
      `SELECT cause_key FROM outbox WHERE cause_key LIKE '%' || $1 ORDER BY cause_key`,
      [purchaseId],
    );
    expect(queued.map((r) => r.cause_key)).toEqual([
      `new-sale:${purchaseId}`,
      `receipt:${purchaseId}`,
    ]);
    await drain(t);

    await smtp.waitFor(buyer.email, 2);
    const receipts = smtp.to(buyer.email).filter((m) => m.subject.startsWith('Your receipt'));
    expect(receipts.map((m) => m.subject)).toEqual(['Your receipt: Free <sampler>']);
    expect(receipts[0].text).toContain('$0.00');
    expect(receipts[0].text).toContain(purchaseId);
    expect(receipts[0].html).toContain('Free &lt;sampler&gt;');
    await smtp.waitFor(creator.email, 2);
    const sales = smtp.to(creator.email).filter((m) => m.subject.startsWith('New sale'));
    expect(sales.map((m) => m.subject)).toEqual(['New sale: Free <sampler> ($0.00)']);

    // Claimed again later: owned already, nothing more is queued.
    await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(409);
    const after: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE cause_key LIKE '%' || $1`,
      [purchaseId],
    );
    expect(after[0].n).toBe(2);
  });

  it('the new-version hook notifies every buyer with access once per version', async () => {
    const creator = await registerCreator(t.http);
    const product = await createProduct(t.http, creator, { title: 'Course' });
    const owners = [await registerBuyer(t.http), await registerBuyer(t.http)];
    for (const owner of owners) await buyThroughSimulatedCheckout(t.http, owner, product.id);
    const outsider = await registerBuyer(t.http);
    const mail = t.app.get(MailService);
    const queued = await t.dataSource.transaction(async (m) => [
      await mail.newVersion(m, { productId: product.id, version: 2, note: 'Two new <chapters>' }),
      await mail.newVersion(m, { productId: product.id, version: 2, note: 'again' }),
    ]);
    expect(queued).toEqual([2, 0]);
    await drain(t);
    for (const owner of owners) {
      await smtp.waitFor(owner.email, 3);
      const notices = smtp.to(owner.email).filter((m) => m.subject === 'New version: Course');
      expect(notices).toHaveLength(1);
      expect(notices[0].text).toContain('Two new <chapters>');
      expect(notices[0].html).toContain('Two new &lt;chapters&gt;');
    }
    expect(smtp.to(outsider.email).map((m) => m.subject)).toEqual(['Confirm your email address']);
  });
});

describe('purchase emails with Stripe webhooks', () => {
  let smtp: TestSmtpServer;
  let fake: FakeStripe;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    fake = await startFakeStripe();
    t = await createTestApp({
      SMTP_URL: smtp.url,
      WEB_URL,
      PAYMENTS_DRIVER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_purchase_emails',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_BASE: fake.url,
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
    await smtp.down();
  });

  const deliver = (event: object) => {
    const { body, signature } = signWebhook(event, SECRET);
    return t.http
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(body);
  };

  it('duplicate and concurrent webhooks give one receipt; each refunded total one notice', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, creator.id, {
      title: 'Sample pack',
      priceCents: 2500,
      currency: 'usd',
    });
    const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
    const { purchaseId, sessionId } = started.body as { purchaseId: string; sessionId: string };
    const pi = randomStripeId('pi');
    const session = {
      id: sessionId,
      client_reference_id: purchaseId,
      metadata: { purchaseId, productId: product.id },
      amount_total: 2500,
      currency: 'usd',
      payment_intent: pi,
    };
    const completed = stripeEvents.checkoutCompleted(session);
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => deliver(completed)),
      // Another event about the same payment (a different event id).
      deliver(stripeEvents.checkoutAsyncSucceeded(session)),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));

    const partial = stripeEvents.chargeRefunded({
      payment_intent: pi,
      amount: 2500,
      amount_refunded: 1000,
      currency: 'usd',
    });
    await deliver(partial).expect(200);
    await deliver(partial).expect(200);
    await deliver(
      stripeEvents.chargeRefunded({
        payment_intent: pi,
        amount: 2500,
        amount_refunded: 2500,
        currency: 'usd',
      }),
    ).expect(200);
    await drain(t);

    await smtp.waitFor(buyer.email, 4);
    const subjects = smtp.to(buyer.email).map((m) => m.subject);
    expect(subjects.sort()).toEqual([
      'Confirm your email address',
      'Refund: Sample pack',
      'Refund: Sample pack',
      'Your receipt: Sample pack',
    ]);
    const refunds = smtp.to(buyer.email).filter((m) => m.subject === 'Refund: Sample pack');
    expect(refunds.map((m) => /refunded: (\S+) in total/.exec(m.text)?.[1]).sort()).toEqual([
      '$10.00',
      '$25.00',
    ]);
    expect(refunds.find((m) => m.text.includes('$25.00 in total'))!.text).toContain(
      'no longer available',
    );
    expect(smtp.to(creator.email).filter((m) => m.subject.startsWith('New sale'))).toHaveLength(1);
  });
});
