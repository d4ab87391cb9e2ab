// The storefront (web/, served at /app/) in a real browser against the real app: a buyer signs
// up, pays on the simulated checkout and downloads the exact bytes; a creator signs in, uploads
// resumably (tus) with a progress bar, sees the sale in the chart and the table, edits, adds a
// version with a note and archives.
// Every page is checked with axe-core and at 390 px wide. Run with `npm run test:browser`.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  collectPageErrors,
  launchChromium,
  scrollsSideways,
  seriousAxeViolations,
  SHOTS,
} from '../helpers/browser.js';
import { type Account, createProduct, registerCreator } from '../helpers/factories.js';
import { freePort } from '../helpers/ports.js';
import { buildWeb, webBuildIsStale } from '../helpers/web-build.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const pdf = (size = 0) =>
  Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size), Buffer.from('\n%%EOF\n')]);

describe('the storefront at /app/', () => {
  let t: TestApp;
  let browser: Browser;
  let creator: Account;
  const bookBytes = pdf(2048);
  const buyerEmail = `buyer-${Date.now()}@example.com`;

  /** axe finds nothing serious, and at 390 px the page does not scroll sideways. */
  async function checkPage(page: Page, name: string): Promise<void> {
    expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({
      page: name,
      violations: [],
    });
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    expect({ page: name, sideways: await scrollsSideways(page) }).toEqual({
      page: name,
      sideways: false,
    });
    if (viewport !== null) await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `storefront-${name}.png`) });
  }

  beforeAll(async () => {
    // The app serves what web/dist holds: build it when its sources changed.
    if (webBuildIsStale()) buildWeb();
    const port = await freePort();
    t = await createTestApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    creator = await registerCreator(t.http, { displayName: 'Northwind Studio' });
    await createProduct(t.http, creator, {
      title: 'Free Sampler',
      description: 'Three pages to try before you buy.',
      priceCents: 0,
    });
    await createProduct(t.http, creator, {
      title: 'Watercolour Brush Set',
      description: 'Forty brushes scanned from real paper.',
      priceCents: 1200,
      currency: 'jpy',
    });
    await createProduct(t.http, creator, {
      title: 'Lo-fi Drum Kit',
      description: 'One hundred and twenty dusty one-shots.',
      priceCents: 900,
      currency: 'eur',
    });
    await createProduct(t.http, creator, {
      title: 'Field Notes for Illustrators',
      description: 'A field guide to sketching outdoors, in sixty pages.',
      priceCents: 1500,
      currency: 'usd',
      fileName: 'field-notes.pdf',
      content: bookBytes,
    });
    browser = await launchChromium();
    console.log(`Browser screenshots in ${SHOTS}`);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  describe('a buyer', () => {
    let context: BrowserContext;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      page = await context.newPage();
      errors = collectPageErrors(page);
    });

    afterAll(async () => {
      await context?.close();
    });

    it('lands on the catalogue from / and sees prices in major units', async () => {
      await page.goto(`${t.baseUrl}/`);
      await page.waitForURL(`${t.baseUrl}/app/`);
      await page.getByRole('heading', { level: 1, name: 'Catalogue' }).waitFor();
      await page.getByText('4 products shown').waitFor();
      const cards = page.locator('.product-card');
      expect(await cards.locator('h2').allInnerTexts()).toEqual([
        'Field Notes for Illustrators',
        'Lo-fi Drum Kit',
        'Watercolour Brush Set',
        'Free Sampler',
      ]);
      expect(await cards.locator('.price').allInnerTexts()).toEqual([
        '$15.00',
        '€9.00',
        '¥1,200',
        'Free',
      ]);
      await checkPage(page, '1-catalogue');

      await page.getByLabel('Search products').fill('drum');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/app\/?\?q=drum$/);
      await page.getByText('1 product shown').waitFor();
      expect(await cards.locator('h2').allInnerTexts()).toEqual(['Lo-fi Drum Kit']);
      await page.getByLabel('Search products').fill('');
      await page.keyboard.press('Enter');
      await page.getByText('4 products shown').waitFor();
      expect(errors).toEqual([]);
    });

    it('signs up from a product page and pays through the simulated checkout', async () => {
      await page.getByRole('link', { name: 'Field Notes for Illustrators' }).click();
      await page.getByRole('heading', { level: 1, name: 'Field Notes for Illustrators' }).waitFor();
      await checkPage(page, '2-product');

      await page.getByRole('link', { name: 'create an account' }).click();
      await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
      await checkPage(page, '3-sign-up');
      await page.getByLabel('Email').fill(buyerEmail);
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();
      // The browser's own check (minlength) stops a short password before any request.
      expect(
        await page
          .getByLabel('Password')
          .evaluate((e) => (e as { validity: { valid: boolean } }).validity.valid),
      ).toBe(false);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();

      // Back on the product, signed in: the price is on the button.
      const buy = page.getByRole('button', { name: 'Buy for $15.00' });
      await buy.click();
      await page.waitForURL(/\/checkout\/simulated\//);
      await page.getByRole('button', { name: 'Pay $15.00' }).click();

      await page.waitForURL(/\/app\/library\?session_id=/);
      await page.getByText('Thank you! Field Notes for Illustrators is yours.').waitFor();
      await page.getByRole('heading', { level: 2, name: 'Field Notes for Illustrators' }).waitFor();
      await checkPage(page, '4-library');

      const buyer = await t.http
        .post('/login')
        .send({ email: buyerEmail, password: 'correct horse battery' })
        .expect(200);
      const library = await t.http
        .get('/mypurchases')
        .set('Authorization', `Bearer ${buyer.body.access_token}`)
        .expect(200);
      expect(library.body.items).toMatchObject([
        { status: 'paid', amountCents: 1500, product: { title: 'Field Notes for Illustrators' } },
      ]);
      expect(errors).toEqual([]);
    });

    it('downloads exactly the bytes the creator uploaded', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download Field Notes for Illustrators' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('field-notes.pdf');
      expect(readFileSync(await download.path())).toEqual(bookBytes);
      expect(errors).toEqual([]);
    });

    it('keeps the session across reloads, in two tabs at once, and ends it on sign-out', async () => {
      // The access token lives in memory: a reload renews it with the HttpOnly refresh cookie.
      let bearer = '';
      context.on('request', (request) => {
        const header = request.headers().authorization;
        if (header !== undefined) bearer = header;
      });
      await page.reload();
      await page.getByRole('heading', { level: 2, name: 'Field Notes for Illustrators' }).waitFor();
      expect(page.url()).toContain('/app/library');
      expect(
        await page.evaluate('JSON.stringify({ ...sessionStorage, ...localStorage })'),
      ).not.toMatch(/eyJ/);
      // Two tabs renewing at the same moment: the refresh token is single-use and the API ends
      // the session when one is presented twice, so the tabs must take turns.
      const second = await context.newPage();
      const secondErrors = collectPageErrors(second);
      await Promise.all([page.reload(), second.goto(`${t.baseUrl}/app/library`)]);
      for (const tab of [page, second]) {
        await tab
          .getByRole('heading', { level: 2, name: 'Field Notes for Illustrators' })
          .waitFor();
      }
      await second.close();
      expect(secondErrors).toEqual([]);
      expect(bearer).toMatch(/^Bearer /);
      await t.http.get('/me').set('Authorization', bearer).expect(200);

      await page.getByRole('button', { name: /^Sign out/ }).click();
      await page.getByRole('link', { name: 'Sign in' }).waitFor();
      // Signed out on the server too: the last access token no longer works.
      await t.http.get('/me').set('Authorization', bearer).expect(401);
      expect(await page.evaluate('sessionStorage.length + localStorage.length')).toBe(0);
      await page.reload();
      await page.getByRole('link', { name: 'Sign in' }).waitFor();
      await page.goto(`${t.baseUrl}/app/library`);
      await page.waitForURL(`${t.baseUrl}/app/sign-in?next=%2Flibrary`);
      await checkPage(page, '5-sign-in');
      expect(errors).toEqual([]);
    });

    it('shows the catalogue as the README pictures it', async () => {
      await page.setViewportSize({ width: 1024, height: 640 });
      await page.goto(`${t.baseUrl}/app/`);
      await page.getByText('4 products shown').waitFor();
      await page.screenshot({ path: join(SHOTS, 'storefront-readme.png') });
      // README_SCREENSHOT=docs/storefront.png npm run test:browser refreshes the committed one.
      if (process.env.README_SCREENSHOT) {
        await page.screenshot({ path: process.env.README_SCREENSHOT });
      }
      await page.setViewportSize({ width: 390, height: 844 });
      expect(errors).toEqual([]);
    });

    it('offers a password reset and says when a verification link is not valid', async () => {
      await page.goto(`${t.baseUrl}/app/sign-in`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
      await page.getByLabel('Email').fill(buyerEmail);
      await page.getByRole('button', { name: 'Email me a link' }).click();
      await page.getByText(`If an account uses ${buyerEmail}`).waitFor();
      await checkPage(page, '6-reset-password');

      await page.goto(`${t.baseUrl}/app/verify-email?token=${'x'.repeat(40)}`);
      await page.getByRole('alert').getByText('This link is not valid any more').waitFor();
      await checkPage(page, '6-verify-email');
      // The refused token itself is logged by the browser as a failed request (400): expected.
      const unexpected = errors.filter((e) => !/status of 400.*\/email\/verify\)$/.test(e));
      expect(unexpected).toEqual([]);
      errors.length = 0;
    });

    it('says so when a page does not exist', async () => {
      await page.goto(`${t.baseUrl}/app/no/such/page`);
      await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
      await checkPage(page, '6-not-found');
      expect(errors).toEqual([]);
    });
  });

  describe('a creator', () => {
    let context: BrowserContext;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      errors = collectPageErrors(page);
    });

    afterAll(async () => {
      await context?.close();
    });

    it('signs in and sees the sale in the chart and the table, and exports it as CSV', async () => {
      await page.goto(`${t.baseUrl}/app/sign-in`);
      await page.getByLabel('Email').fill(creator.email);
      // A wrong password first: the form says so and can be sent again.
      await page.getByLabel('Password').fill(`${creator.password}-wrong`);
      const signIn = page.getByRole('button', { name: 'Sign in' });
      await signIn.click();
      await page.getByRole('alert').getByText('That email and password do not match').waitFor();
      expect(await signIn.isEnabled()).toBe(true);
      // The refused sign-in is logged by the browser as a failed request (401): expected.
      expect(errors.filter((e) => !/status of 401.*\/login\)$/.test(e))).toEqual([]);
      errors.length = 0;
      await page.getByLabel('Password').fill(creator.password);
      await signIn.click();
      await page.waitForURL(`${t.baseUrl}/app/dashboard`);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

      const chart = page.getByRole('img', { name: 'Daily sales in USD' });
      await chart.waitFor();
      expect(await chart.locator('rect.chart-bar').count()).toBe(1);
      await page.getByText(/^1 sale for \$15\.00 from /).waitFor();
      const row = page.getByRole('row', { name: new RegExp(buyerEmail) });
      await expect(row.innerText()).resolves.toMatch(
        /Field Notes for Illustrators.*\$15\.00.*Paid/s,
      );
      await checkPage(page, '7-dashboard');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      const csv = readFileSync(await download.path(), 'utf8');
      expect(csv.split('\n')[1]).toContain(buyerEmail);

      // The creator refunds the sale: the buyer's access ends.
      await row.getByRole('button', { name: /^Refund/ }).click();
      await row.getByRole('button', { name: `Refund $15.00 to ${buyerEmail}` }).click();
      await page
        .getByRole('row', { name: new RegExp(buyerEmail) })
        .filter({ hasText: 'Refunded' })
        .waitFor();
      // The totals follow: nothing is left of the sale.
      await page.locator('.totals div').filter({ hasText: 'Net' }).getByText('$0.00').waitFor();
      await checkPage(page, '7-refunded');
      expect(errors).toEqual([]);
    });

    it('uploads a file and watches the progress bar', async () => {
      // A slow uplink, so the upload takes long enough to show its progress.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 256 * 1024,
      });
      // The bytes go through the tus protocol (creation, then PATCH), not one multipart request.
      const tusRequests: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/uploads/')) {
          tusRequests.push(request.method());
        }
      });
      const form = page.getByRole('form', { name: 'Sell a new file' });
      await form.getByLabel('File').setInputFiles({
        name: 'sketchbook.pdf',
        mimeType: 'application/pdf',
        buffer: pdf(1024 * 1024),
      });
      await form.getByLabel('Title').fill('Sketchbook Vol. 2');
      await form.getByLabel('Description').fill('More pages from the road.');
      await form.getByLabel('Price').fill('7.5');
      await form.getByLabel('Currency').selectOption('gbp');
      await form.getByRole('button', { name: 'Upload and publish' }).click();

      const progress = form.getByRole('progressbar', { name: 'Uploading' });
      // Polled from here: a predicate evaluated in the page would need eval, which the CSP refuses.
      let seen = 0;
      for (let i = 0; i < 600 && !(seen > 0 && seen < 100); i++) {
        seen = Number(
          (await progress.getAttribute('value', { timeout: 100 }).catch(() => null)) ?? 0,
        );
        if (!(seen > 0 && seen < 100)) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen).toBeGreaterThan(0);
      expect(seen).toBeLessThan(100);
      await checkPage(page, '8-uploading');
      await form
        .getByText('Sketchbook Vol. 2 is uploaded and on sale.')
        .waitFor({ timeout: 60_000 });
      expect(await progress.count()).toBe(0);
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });

      expect(tusRequests).toContain('PATCH');
      await page.getByRole('link', { name: 'Sketchbook Vol. 2' }).first().waitFor();
      const catalogue = await t.http.get('/products').query({ q: 'Sketchbook' }).expect(200);
      expect(catalogue.body.items).toMatchObject([
        {
          title: 'Sketchbook Vol. 2',
          priceCents: 750,
          currency: 'gbp',
          fileName: 'sketchbook.pdf',
        },
      ]);
      expect(errors).toEqual([]);
    });

    it('edits the price, uploads a new version and archives the product', async () => {
      await page
        .getByRole('region', { name: 'Your products' })
        .getByRole('link', { name: 'Sketchbook Vol. 2' })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Sketchbook Vol. 2' }).waitFor();
      const listing = page.getByRole('form', { name: 'Listing' });
      expect(await listing.getByLabel('Price').inputValue()).toBe('7.50');
      await listing.getByLabel('Price').fill('9.99');
      await listing.getByRole('button', { name: 'Save changes' }).click();
      await listing.getByText('Saved.').waitFor();
      await checkPage(page, '9-edit');

      const version = page.getByRole('form', { name: 'New version' });
      await version.getByLabel('New file').setInputFiles({
        name: 'sketchbook-v2.pdf',
        mimeType: 'application/pdf',
        buffer: pdf(4096),
      });
      await version.getByLabel('What changed').fill('Two new sketches from the coast.');
      await version.getByRole('button', { name: 'Upload new version' }).click();
      await version.getByText('Version 2 is live.').waitFor();
      const versions = page.getByRole('region', { name: 'Versions' }).getByRole('listitem');
      await versions.filter({ hasText: 'Version 2: sketchbook-v2.pdf' }).waitFor();
      expect(await versions.count()).toBe(2);
      await versions.filter({ hasText: 'Two new sketches from the coast.' }).waitFor();

      await page.getByRole('button', { name: 'Archive', exact: true }).click();
      await page.getByRole('button', { name: 'Yes, archive Sketchbook Vol. 2' }).click();
      await page.getByText(/^Archived: no longer sold/).waitFor();

      const mine = await t.http.get('/creator/products').set(creator.auth).expect(200);
      expect(
        (mine.body.items as { title: string }[]).find((p) => p.title === 'Sketchbook Vol. 2'),
      ).toMatchObject({
        priceCents: 999,
        status: 'archived',
        version: 2,
        fileName: 'sketchbook-v2.pdf',
      });
      expect(errors).toEqual([]);
    });
  });
});
