import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { insertProduct } from './helpers/catalogue-factories.js';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const FRONTEND = 'https://shop.example.com';

describe('purchases through the simulated checkout', () => {
  let t: TestApp;
  let creator: Account;
  let buyer: Account;
  let otherBuyer: Account;

  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: FRONTEND });
    creator = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
    otherBuyer = await registerBuyer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const countPurchases = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM purchases'))[0].n);
  const sessionPath = (checkoutUrl: string) => new URL(checkoutUrl).pathname;

  function pay(checkoutUrl: string, outcome = 'success') {
    return t.http
      .post(`${sessionPath(checkoutUrl)}/pay`)
      .type('form')
      .send({ outcome });
  }

  describe('POST /purchase/:productId', () => {
    it('401 without a token, 403 for a creator', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      await t.http.post(`/purchase/${product.id}`).expect(401);
      const res = await t.http.post(`/purchase/${product.id}`).set(creator.auth).expect(403);
      expect(res.body.code).toBe('FORBIDDEN_ROLE');
    });

    it('404 for a missing, unpublished or archived product; 400 for a non-uuid id', async () => {
      const unpublished = await insertProduct(t.dataSource, creator.id, { status: 'unpublished' });
      const archived = await insertProduct(t.dataSource, creator.id, { status: 'archived' });
      for (const id of [unpublished.id, archived.id, '00000000-0000-4000-8000-000000000000']) {
        const res = await t.http.post(`/purchase/${id}`).set(buyer.auth).expect(404);
        expect(res.body.code).toBe('NOT_FOUND');
      }
      const bad = await t.http.post('/purchase/not-a-uuid').set(buyer.auth).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    });

    it('refuses a price, amount or status in the body (no purchase written)', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const before = await countPurchases();
      for (const body of [
        { amountCents: 1 },
        { priceCents: 1 },
        { currency: 'jpy' },
        { status: 'paid' },
      ]) {
        const res = await t.http
          .post(`/purchase/${product.id}`)
          .set(buyer.auth)
          .send(body)
          .expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      expect(await countPurchases()).toBe(before);
    });

    it('refuses success and cancel URLs off the allowed origins (no open redirect)', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const before = await countPurchases();
      for (const body of [
        { successUrl: 'https://evil.example.net/phish' },
        { cancelUrl: 'javascript:alert(1)' },
        { successUrl: 'https://shop.example.com.evil.net/' },
        { successUrl: '//evil.example.net' },
      ]) {
        const res = await t.http
          .post(`/purchase/${product.id}`)
          .set(buyer.auth)
          .send(body)
          .expect(400);
        expect(res.body.code).toBe('REDIRECT_NOT_ALLOWED');
      }
      expect(await countPurchases()).toBe(before);
    });

    it('sells a product end to end: checkout page, Pay, paid purchase, library', async () => {
      const product = await insertProduct(t.dataSource, creator.id, {
        title: 'Lightroom <presets> & more',
        priceCents: 1999,
        currency: 'eur',
      });
      const started = await t.http
        .post(`/purchase/${product.id}`)
        .set(buyer.auth)
        .send({ successUrl: `${FRONTEND}/thanks?session={CHECKOUT_SESSION_ID}` })
        .expect(201);
      expect(started.body).toEqual({
        purchaseId: expect.any(String),
        status: 'pending',
        checkoutUrl: expect.stringMatching(/\/checkout\/simulated\/[\w-]+$/),
        sessionId: expect.any(String),
      });

      // Asking again while the checkout is open gives the same checkout.
      const again = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
      expect(again.body).toEqual(started.body);

      const page = await t.http.get(sessionPath(started.body.checkoutUrl)).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('Lightroom &#60;presets&#62; &#38; more');
      expect(page.text).toContain('€19.99');

      const pending = await t.http
        .get(`/purchases/${started.body.purchaseId}`)
        .set(buyer.auth)
        .expect(200);
      expect(pending.body).toMatchObject({
        status: 'pending',
        hasAccess: false,
        amountCents: 1999,
      });

      const paid = await pay(started.body.checkoutUrl).expect(303);
      expect(paid.headers.location).toBe(`${FRONTEND}/thanks?session=${started.body.sessionId}`);

      const purchase = await t.http
        .get(`/purchases/${started.body.purchaseId}`)
        .set(buyer.auth)
        .expect(200);
      expect(purchase.body).toMatchObject({
        id: started.body.purchaseId,
        status: 'paid',
        hasAccess: true,
        amountCents: 1999,
        currency: 'eur',
        refundedCents: 0,
        provider: 'simulated',
        product: { id: product.id, title: product.title },
      });
      expect(purchase.body.paidAt).toEqual(expect.any(String));

      const library = await t.http.get('/mypurchases').set(buyer.auth).expect(200);
      expect(library.body.items).toContainEqual(
        expect.objectContaining({
          purchaseId: started.body.purchaseId,
          status: 'paid',
          hasAccess: true,
          amountCents: 1999,
          product: expect.objectContaining({
            id: product.id,
            creator: { id: creator.id, displayName: expect.any(String) },
            fileName: 'guide.pdf',
            size: 1024,
            version: 1,
          }),
        }),
      );
      expect(JSON.stringify(library.body)).not.toMatch(/file_?key|storage/i);

      const owned = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(409);
      expect(owned.body.code).toBe('ALREADY_OWNED');

      // A second click on Pay changes nothing.
      await pay(started.body.checkoutUrl).expect(303);
      const rows = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM purchases WHERE product_id = $1 AND status = 'paid'`,
        [product.id],
      );
      expect(rows[0].n).toBe(1);
    });

    it('keeps the price of the checkout when the creator changes it afterwards', async () => {
      const product = await insertProduct(t.dataSource, creator.id, { priceCents: 1000 });
      const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
      await t.dataSource.query(`UPDATE products SET price_cents = 5000 WHERE id = $1`, [
        product.id,
      ]);
      await pay(started.body.checkoutUrl).expect(303);
      const purchase = await t.http
        .get(`/purchases/${started.body.purchaseId}`)
        .set(buyer.auth)
        .expect(200);
      expect(purchase.body).toMatchObject({ status: 'paid', amountCents: 1000 });
    });

    it('gives a free product at once, without a checkout', async () => {
      const product = await insertProduct(t.dataSource, creator.id, { priceCents: 0 });
      const res = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
      expect(res.body).toEqual({
        purchaseId: expect.any(String),
        status: 'paid',
        checkoutUrl: null,
        sessionId: null,
      });
      const purchase = await t.http
        .get(`/purchases/${res.body.purchaseId}`)
        .set(buyer.auth)
        .expect(200);
      expect(purchase.body).toMatchObject({
        status: 'paid',
        hasAccess: true,
        provider: 'free',
        amountCents: 0,
      });
      await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(409);
    });

    it('makes one purchase when the same buyer starts checkout many times at once', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => t.http.post(`/purchase/${product.id}`).set(buyer.auth)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(new Set(results.map((r) => r.body.sessionId)).size).toBe(1);
      const rows = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM purchases WHERE product_id = $1`,
        [product.id],
      );
      expect(rows[0].n).toBe(1);
    });
  });

  describe('simulated outcomes', () => {
    it('a declined card leaves the purchase pending and shows the page again', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
      const res = await pay(started.body.checkoutUrl, 'decline').expect(303);
      expect(res.headers.location).toContain(sessionPath(started.body.checkoutUrl));
      const purchase = await t.http
        .get(`/purchases/${started.body.purchaseId}`)
        .set(buyer.auth)
        .expect(200);
      expect(purchase.body.status).toBe('pending');
      // and the buyer can still pay
      await pay(started.body.checkoutUrl).expect(303);
      const after = await t.http
        .get(`/purchases/${started.body.purchaseId}`)
        .set(buyer.auth)
        .expect(200);
      expect(after.body.status).toBe('paid');
    });

    it('a bank transfer that later succeeds ends paid; one that fails ends failed', async () => {
      const good = await insertProduct(t.dataSource, creator.id);
      const bad = await insertProduct(t.dataSource, creator.id);
      const a = await t.http.post(`/purchase/${good.id}`).set(buyer.auth).expect(201);
      const b = await t.http.post(`/purchase/${bad.id}`).set(buyer.auth).expect(201);
      await pay(a.body.checkoutUrl, 'async_success').expect(303);
      await pay(b.body.checkoutUrl, 'async_failure').expect(303);
      const pa = await t.http.get(`/purchases/${a.body.purchaseId}`).set(buyer.auth).expect(200);
      const pb = await t.http.get(`/purchases/${b.body.purchaseId}`).set(buyer.auth).expect(200);
      expect(pa.body.status).toBe('paid');
      expect(pb.body).toMatchObject({ status: 'failed', hasAccess: false });
      // A failed purchase does not block buying again.
      await t.http.post(`/purchase/${bad.id}`).set(buyer.auth).expect(201);
    });

    it('Cancel sends the buyer to the cancel URL and charges nothing', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const started = await t.http
        .post(`/purchase/${product.id}`)
        .set(buyer.auth)
        .send({ cancelUrl: `${FRONTEND}/cart` })
        .expect(201);
      const res = await t.http.post(`${sessionPath(started.body.checkoutUrl)}/cancel`).expect(303);
      expect(res.headers.location).toBe(`${FRONTEND}/cart`);
      const purchase = await t.http
        .get(`/purchases/${started.body.purchaseId}`)
        .set(buyer.auth)
        .expect(200);
      expect(purchase.body.status).toBe('pending');
    });

    it('an unknown checkout session is a 404', async () => {
      await t.http.get('/checkout/simulated/sim_cs_doesnotexist').expect(404);
      await t.http
        .post('/checkout/simulated/sim_cs_doesnotexist/pay')
        .type('form')
        .send({ outcome: 'success' })
        .expect(404);
    });

    it('serves the default success and cancel pages', async () => {
      const ok = await t.http.get('/checkout/success?session_id=x').expect(200);
      expect(ok.text).toContain('Thank you');
      expect(ok.text).toContain('href="/app/library"');
      const cancel = await t.http.get('/checkout/cancel').expect(200);
      expect(cancel.text).toContain('cancelled');
    });

    it('thanks the buyer for what they bought, for how much, with a way to their library', async () => {
      const product = await insertProduct(t.dataSource, creator.id, {
        title: 'Night <b>Sky</b> & Stars',
        priceCents: 1250,
        currency: 'eur',
      });
      const start = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
      const paid = await pay(start.body.checkoutUrl).expect(303);
      // The default success URL, with the session id the checkout filled in.
      const landing = new URL(paid.headers.location, t.baseUrl);
      expect(landing.pathname).toBe('/checkout/success');
      expect(landing.searchParams.get('session_id')).toBe(start.body.sessionId);
      const page = await t.http.get(landing.pathname + landing.search).expect(200);
      expect(page.text).toContain('Night &#60;b&#62;Sky&#60;/b&#62; &#38; Stars');
      expect(page.text).not.toContain('<b>Sky</b>');
      expect(page.text).toContain('€12.50');
      expect(page.text).toContain('went through');
      expect(page.text).toContain('href="/app/library"');
      expect(page.text).toContain('href="/app/"');

      // Before the provider confirms the payment (a Stripe webhook still on its way), the page
      // says it is being confirmed; after a failed bank debit, that it did not go through.
      const later = await insertProduct(t.dataSource, creator.id, { priceCents: 900 });
      const pending = await t.http.post(`/purchase/${later.id}`).set(buyer.auth).expect(201);
      const successPage = () =>
        t.http
          .get(`/checkout/success?session_id=${encodeURIComponent(pending.body.sessionId)}`)
          .expect(200);
      const waiting = await successPage();
      expect(waiting.text).toContain('$9.00');
      expect(waiting.text).toContain('being confirmed');
      await pay(pending.body.checkoutUrl, 'async_failure').expect(303);
      expect((await successPage()).text).toContain('did not go through');

      // Someone else's session id shows what its checkout page shows, nothing of the buyer.
      const other = await t.http
        .get(`/checkout/success?session_id=${encodeURIComponent(start.body.sessionId)}`)
        .expect(200);
      expect(other.text).not.toContain(buyer.email);
      // A repeated parameter is not a session id: the plain page.
      const twice = await t.http.get('/checkout/success?session_id=a&session_id=b').expect(200);
      expect(twice.text).toContain('Thank you!');
      expect(twice.text).not.toContain('class="amount"');
    });
  });

  describe('a second payment for one product', () => {
    const nearExpiry = (purchaseId: string, sessionId: string) =>
      Promise.all([
        t.dataSource.query(
          `UPDATE purchases SET checkout_expires_at = now() + interval '30 seconds' WHERE id = $1`,
          [purchaseId],
        ),
        t.dataSource.query(
          `UPDATE simulated_checkout_sessions SET expires_at = now() + interval '30 seconds' WHERE id = $1`,
          [sessionId],
        ),
      ]);
    const issues = (purchaseId: string) =>
      t.dataSource.query<{ kind: string; reference: string; amount_cents: number }[]>(
        `SELECT kind, reference, amount_cents FROM payment_issues WHERE purchase_id = $1`,
        [purchaseId],
      );
    const status = async (purchaseId: string) =>
      (
        await t.dataSource.query<{ status: string }[]>(
          'SELECT status FROM purchases WHERE id = $1',
          [purchaseId],
        )
      )[0].status;

    it('asking again in the last minute of a checkout closes it before opening another', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const buyer2 = await registerBuyer(t.http);
      const first = await t.http.post(`/purchase/${product.id}`).set(buyer2.auth).expect(201);
      await nearExpiry(first.body.purchaseId, first.body.sessionId);
      const second = await t.http.post(`/purchase/${product.id}`).set(buyer2.auth).expect(201);
      expect(second.body.sessionId).not.toBe(first.body.sessionId);
      // The first session can no longer take money: only one payment is possible.
      const late = await pay(first.body.checkoutUrl).expect(303);
      expect(await status(first.body.purchaseId)).toBe('expired');
      expect(late.headers.location).toContain('/checkout/success');
      await pay(second.body.checkoutUrl).expect(303);
      expect(await status(second.body.purchaseId)).toBe('paid');
      const sessions = await t.dataSource.query<{ status: string; payment_status: string }[]>(
        'SELECT status, payment_status FROM simulated_checkout_sessions WHERE purchase_id = $1',
        [first.body.purchaseId],
      );
      expect(sessions).toEqual([{ status: 'expired', payment_status: 'unpaid' }]);
    });

    it('a first checkout paid meanwhile is fulfilled, and asking again answers 409', async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const buyer2 = await registerBuyer(t.http);
      const first = await t.http.post(`/purchase/${product.id}`).set(buyer2.auth).expect(201);
      await nearExpiry(first.body.purchaseId, first.body.sessionId);
      await t.dataSource.query(
        `UPDATE simulated_checkout_sessions SET status = 'complete', payment_status = 'paid', payment_id = 'sim_pi_000000000000000000000001' WHERE id = $1`,
        [first.body.sessionId],
      );
      const again = await t.http.post(`/purchase/${product.id}`).set(buyer2.auth).expect(409);
      expect(again.body.code).toBe('ALREADY_OWNED');
      expect(await status(first.body.purchaseId)).toBe('paid');
    });

    it('money paid twice is recorded as a duplicate payment, never lost, never a 5xx', async () => {
      // Two payable sessions for one product (as before sessions were closed at the provider):
      // the first purchase was given up on while its session stayed open.
      const product = await insertProduct(t.dataSource, creator.id);
      const buyer2 = await registerBuyer(t.http);
      const first = await t.http.post(`/purchase/${product.id}`).set(buyer2.auth).expect(201);
      await t.dataSource.query(`UPDATE purchases SET status = 'expired' WHERE id = $1`, [
        first.body.purchaseId,
      ]);
      const second = await t.http.post(`/purchase/${product.id}`).set(buyer2.auth).expect(201);
      await pay(second.body.checkoutUrl).expect(303);
      const res = await pay(first.body.checkoutUrl).expect(303);
      expect(res.headers.location).toContain('/checkout/success');
      expect(await status(second.body.purchaseId)).toBe('paid');
      expect(await status(first.body.purchaseId)).toBe('expired');
      expect(await issues(first.body.purchaseId)).toEqual([
        { kind: 'duplicate_payment', reference: first.body.sessionId, amount_cents: 1500 },
      ]);
      // The buyer owns the product once.
      const library = await t.http.get('/mypurchases').set(buyer2.auth).expect(200);
      expect(library.body.items.map((i: { purchaseId: string }) => i.purchaseId)).toEqual([
        second.body.purchaseId,
      ]);
    });
  });

  describe('GET /purchases/:id', () => {
    it("answers another buyer's purchase as a 404", async () => {
      const product = await insertProduct(t.dataSource, creator.id);
      const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
      const res = await t.http
        .get(`/purchases/${started.body.purchaseId}`)
        .set(otherBuyer.auth)
        .expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
      await t.http.get(`/purchases/${started.body.purchaseId}`).set(creator.auth).expect(403);
      await t.http.get(`/purchases/${started.body.purchaseId}`).expect(401);
    });
  });

  describe('GET /mypurchases', () => {
    it("pages through the library without repeats and shows only the caller's purchases", async () => {
      const collector = await registerBuyer(t.http);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const product = await insertProduct(t.dataSource, creator.id, { priceCents: 0 });
        const res = await t.http.post(`/purchase/${product.id}`).set(collector.auth).expect(201);
        ids.push(res.body.purchaseId);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await t.http
          .get('/mypurchases')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(collector.auth)
          .expect(200);
        seen.push(...res.body.items.map((i: { purchaseId: string }) => i.purchaseId));
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      expect(seen.sort()).toEqual([...ids].sort());
      const other = await t.http.get('/mypurchases').set(otherBuyer.auth).expect(200);
      expect(other.body.items.map((i: { purchaseId: string }) => i.purchaseId)).not.toEqual(
        expect.arrayContaining([ids[0]]),
      );
      await t.http.get('/mypurchases').query({ cursor: 'bogus' }).set(collector.auth).expect(400);
      await t.http.get('/mypurchases').query({ limit: 101 }).set(collector.auth).expect(400);
      await t.http.get('/mypurchases').set(creator.auth).expect(403);
    });
  });
});

describe('payment routes are rate limited per buyer', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ PAYMENT_REQUESTS_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('429 RATE_LIMITED with Retry-After past PAYMENT_REQUESTS_PER_MINUTE, per account', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const other = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, creator.id);
    // POST /purchase and GET /purchases/:id share the budget: both may call the provider.
    const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
    await t.http.get(`/purchases/${started.body.purchaseId}`).set(buyer.auth).expect(200);
    await t.http.get(`/purchases/${started.body.purchaseId}`).set(buyer.auth).expect(200);
    for (const res of [
      await t.http.get(`/purchases/${started.body.purchaseId}`).set(buyer.auth),
      await t.http.post(`/purchase/${product.id}`).set(buyer.auth),
    ]) {
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Another buyer has a budget of their own.
    await t.http.post(`/purchase/${product.id}`).set(other.auth).expect(201);
  });
});
