// A real browser against the real app: Swagger UI at /docs (under the app's security headers)
// and the simulated checkout page. Run with `npm run test:browser`; needs Chromium
// (Debian: apt-get install chromium), found at CHROMIUM_PATH or /usr/bin/chromium.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, launchChromium, SHOTS } from '../helpers/browser.js';
import {
  type Account,
  type CreatedProduct,
  createProduct,
  registerBuyer,
  registerCreator,
} from '../helpers/factories.js';
import { freePort } from '../helpers/ports.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let buyer: Account;
  let product: CreatedProduct;
  let pageErrors: string[];

  beforeAll(async () => {
    const port = await freePort();
    t = await createTestApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    const creator = await registerCreator(t.http, { displayName: 'Browser Studio' });
    buyer = await registerBuyer(t.http, { displayName: 'Browser Buyer' });
    product = await createProduct(t.http, creator, {
      title: 'Field Notes for Illustrators',
      priceCents: 1500,
      currency: 'usd',
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Browsers ask every site for /favicon.ico; the API has none.
    pageErrors = collectPageErrors(page, (text) => text.endsWith('/favicon.ico)'));
    console.log(`Browser screenshots in ${SHOTS}`);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  describe('Swagger UI at /docs', () => {
    it('renders every operation of the OpenAPI document', async () => {
      const document = await t.http.get('/docs-json').expect(200);
      const operations = Object.values(
        document.body.paths as Record<string, Record<string, unknown>>,
      ).reduce((n, path) => n + Object.keys(path).length, 0);

      await page.goto(`${t.baseUrl}/docs`);
      await page.locator('.opblock').first().waitFor();
      expect(await page.locator('.opblock').count()).toBe(operations);
      expect(await page.locator('.info .title').innerText()).toContain('Creator Files API');
      await page.screenshot({ path: join(SHOTS, '1-docs.png') });
      expect(pageErrors).toEqual([]);
    });

    it('authorizes with a token and runs GET /me through "Try it out"', async () => {
      await page.locator('button.authorize').first().click();
      const dialog = page.locator('.modal-ux');
      // The dialog has a form per security scheme (bearer, the refresh cookie): use bearer's.
      const bearer = dialog.locator('form').filter({ hasText: 'bearer (http, Bearer)' });
      await bearer.locator('#auth-bearer-value').fill(buyer.token);
      await bearer.getByRole('button', { name: 'Apply credentials' }).click();
      // Once applied, the form offers to log out instead.
      await bearer.getByRole('button', { name: 'Remove authorization' }).waitFor();
      await page.screenshot({ path: join(SHOTS, '2-authorized.png') });
      await bearer.getByRole('button', { name: 'Close' }).click();

      const me = page.locator('#operations-auth-Auth_me');
      await me.locator('.opblock-summary-control').click();
      await me.locator('button.try-out__btn').click();
      await me.locator('button.execute').click();

      const status = me.locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor();
      expect((await status.innerText()).trim()).toBe('200');
      const body = me.locator('.live-responses-table .response-col_description pre').first();
      const text = await body.innerText();
      expect(JSON.parse(text)).toMatchObject({
        email: buyer.email,
        role: 'buyer',
        displayName: 'Browser Buyer',
      });
      // The request Swagger UI sent carried the token.
      expect(await me.locator('.curl-command').innerText()).toContain(
        `Authorization: Bearer ${buyer.token}`,
      );
      await me.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, '3-try-it-out-me.png'), fullPage: false });
      expect(pageErrors).toEqual([]);
    });
  });

  describe('the simulated checkout', () => {
    it('shows the product and price, pays, lands on the success page, and the purchase is paid', async () => {
      const checkout = await t.http
        .post(`/purchase/${product.id}`)
        .set(buyer.auth)
        .send({})
        .expect(201);
      const { purchaseId, checkoutUrl } = checkout.body as {
        purchaseId: string;
        checkoutUrl: string;
      };
      expect(checkoutUrl.startsWith(`${t.baseUrl}/checkout/simulated/`)).toBe(true);

      await page.goto(checkoutUrl);
      await expect(page.locator('h1').innerText()).resolves.toBe('Field Notes for Illustrators');
      await expect(page.locator('.amount').innerText()).resolves.toBe('$15.00');
      await page.screenshot({ path: join(SHOTS, '4-checkout.png') });

      // The outcome picker is part of the payment: a declined card comes back with a message.
      await page.locator('#outcome').selectOption('decline');
      await Promise.all([
        page.waitForURL(/\?error=declined$/),
        page.getByRole('button', { name: /^Pay / }).click(),
      ]);
      await expect(page.locator('.error').innerText()).resolves.toContain('declined');
      await page.screenshot({ path: join(SHOTS, '5-declined.png') });
      const before = await t.http.get(`/purchases/${purchaseId}`).set(buyer.auth).expect(200);
      expect(before.body.status).toBe('pending');

      await page.locator('#outcome').selectOption('success');
      await Promise.all([
        page.waitForURL(/\/checkout\/success\?session_id=/),
        page.getByRole('button', { name: /^Pay / }).click(),
      ]);
      await expect(page.locator('h1').innerText()).resolves.toBe('Thank you!');
      await page.screenshot({ path: join(SHOTS, '6-success.png') });

      const after = await t.http.get(`/purchases/${purchaseId}`).set(buyer.auth).expect(200);
      expect(after.body).toMatchObject({ status: 'paid', hasAccess: true, amountCents: 1500 });
      const library = await t.http.get('/mypurchases').set(buyer.auth).expect(200);
      expect(library.body.items.map((i: { purchaseId: string }) => i.purchaseId)).toEqual([
        purchaseId,
      ]);

      // Back on the checkout page, it says it is complete and offers no second payment.
      await page.goto(checkoutUrl);
      await expect(page.locator('body').innerText()).resolves.toContain('complete');
      expect(await page.getByRole('button', { name: /^Pay / }).count()).toBe(0);
      expect(pageErrors).toEqual([]);
    });
  });
});
