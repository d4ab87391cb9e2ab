import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SimulatedPaymentsDriver } from '../src/payments/drivers/simulated.driver.js';
import { PAYMENTS } from '../src/payments/payments.interface.js';
import { FulfilmentService } from '../src/purchases/fulfilment.service.js';
import { insertProduct } from './helpers/catalogue-factories.js';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe('simulated payouts onboarding (PAYOUTS_MODE=connect, no Stripe)', () => {
  let t: TestApp;
  let driver: SimulatedPaymentsDriver;

  beforeAll(async () => {
    t = await createTestApp({ PAYOUTS_MODE: 'connect', PLATFORM_FEE_BPS: '1000' });
    driver = t.app.get(PAYMENTS);
    if (!(driver instanceof SimulatedPaymentsDriver)) throw new Error('expected simulated');
  });
  afterAll(async () => {
    await t.close();
  });

  const status = async (creator: Account) =>
    (await t.http.get('/creator/payouts').set(creator.auth).expect(200)).body as {
      status: string;
      chargesEnabled: boolean;
      requirementsDue: string[];
    };
  /** The link's path on the API, e.g. /payouts/simulated/onboarding/sim_link_… */
  async function onboardingPath(creator: Account): Promise<string> {
    const res = await t.http.post('/creator/payouts/onboarding').set(creator.auth).send({});
    expect(res.status).toBe(201);
    const url = new URL(res.body.url as string);
    expect(url.origin).toBe(t.config.publicUrl);
    expect(url.pathname).toMatch(/^\/payouts\/simulated\/onboarding\/sim_link_[0-9a-f]{24}$/);
    return url.pathname;
  }

  it('shows a local onboarding page, without a bearer token', async () => {
    const creator = await registerCreator(t.http);
    const path = await onboardingPath(creator);
    const page = await t.http.get(path).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('Complete onboarding');
    expect(page.text).toContain('Leave unfinished');
    expect(page.text).toContain(`action="${path}/complete"`);
    expect(page.text).toContain(`action="${path}/leave"`);
    expect(page.text).toContain('external_account');
  });

  it('"Leave unfinished" changes nothing and spends the link', async () => {
    const creator = await registerCreator(t.http);
    const path = await onboardingPath(creator);
    const left = await t.http.post(`${path}/leave`).expect(303);
    expect(left.headers.location).toBe(`${t.config.publicUrl}/payouts/return`);
    expect(await status(creator)).toMatchObject({ status: 'not_started', chargesEnabled: false });
    // A spent link, like an expired Account Link, sends the creator to the refresh URL.
    const again = await t.http.post(`${path}/complete`).expect(303);
    expect(again.headers.location).toBe(`${t.config.publicUrl}/payouts/refresh`);
    expect((await status(creator)).status).toBe('not_started');
    await t.http.get('/payouts/return').expect(200);
    await t.http.get('/payouts/refresh').expect(200);
  });

  it('"Complete onboarding" enables payouts through fulfilment; then the creator sells', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const product = await insertProduct(t.dataSource, creator.id, { priceCents: 1250 });
    await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(409);
    expect((await t.http.get(`/products/${product.id}`)).body.purchasable).toBe(false);

    const path = await onboardingPath(creator);
    const done = await t.http.post(`${path}/complete`).expect(303);
    expect(done.headers.location).toBe(`${t.config.publicUrl}/payouts/return`);
    expect(await status(creator)).toEqual({
      mode: 'connect',
      status: 'enabled',
      chargesEnabled: true,
      payoutsEnabled: true,
      requirementsDue: [],
    });
    const events = await t.dataSource.query(
      `SELECT provider, type, processed_at IS NOT NULL AS processed FROM payment_events
       WHERE type = 'account.updated'`,
    );
    expect(events).toContainEqual({
      provider: 'simulated',
      type: 'account.updated',
      processed: true,
    });
    expect((await t.http.get(`/products/${product.id}`)).body.purchasable).toBe(true);

    const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
    expect(started.status).toBe(201);
    const [row] = await t.dataSource.query(
      `SELECT p.fee_cents, p.transfer_destination, a.account_id FROM purchases p
       JOIN payout_accounts a ON a.creator_id = $2 WHERE p.id = $1`,
      [started.body.purchaseId, creator.id],
    );
    expect(row.fee_cents).toBe(125);
    expect(row.transfer_destination).toBe(row.account_id);
    expect(row.account_id).toMatch(/^sim_acct_/);

    const dashboard = await t.http.post('/creator/payouts/dashboard').set(creator.auth).expect(201);
    expect(dashboard.body.url).toMatch(`${t.config.publicUrl}/payouts/simulated/onboarding/`);
  });

  it('stops new sales when the account is restricted', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    await t.http.post(`${await onboardingPath(creator)}/complete`).expect(303);
    const [{ account_id: accountId }] = await t.dataSource.query(
      'SELECT account_id FROM payout_accounts WHERE creator_id = $1',
      [creator.id],
    );
    const event = await driver.restrictAccount(accountId as string);
    expect(await t.app.get(FulfilmentService).handleEvent('simulated', event)).toBe('applied');
    expect(await status(creator)).toMatchObject({
      status: 'restricted',
      chargesEnabled: false,
      requirementsDue: ['individual.verification.document'],
    });
    const product = await insertProduct(t.dataSource, creator.id, { priceCents: 900 });
    const res = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({});
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CREATOR_CANNOT_ACCEPT_PAYMENTS');
  });

  it('creates one account when the first calls race', async () => {
    const creator = await registerCreator(t.http);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        t.http.post('/creator/payouts/onboarding').set(creator.auth).send({}),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const accounts = await t.dataSource.query(
      'SELECT id FROM simulated_connected_accounts WHERE idempotency_key = $1',
      [`connect-account-${creator.id}`],
    );
    expect(accounts).toHaveLength(1);
  });

  it('sends an expired link to the refresh URL and answers 404 for an unknown one', async () => {
    const creator = await registerCreator(t.http);
    const path = await onboardingPath(creator);
    await t.dataSource.query(
      `UPDATE simulated_connected_accounts SET link_expires_at = now() - interval '1 second'
       WHERE link_id = $1`,
      [path.split('/').pop()],
    );
    const page = await t.http.get(path).expect(200);
    expect(page.text).toContain('expired');
    expect(page.text).not.toContain('Complete onboarding');
    const res = await t.http.post(`${path}/complete`).expect(303);
    expect(res.headers.location).toBe(`${t.config.publicUrl}/payouts/refresh`);
    expect((await status(creator)).status).toBe('not_started');

    const unknown = '/payouts/simulated/onboarding/sim_link_000000000000000000000000';
    expect((await t.http.get(unknown).expect(404)).body.code).toBe('NOT_FOUND');
    await t.http.post(`${unknown}/complete`).expect(404);
    await t.http.get('/payouts/simulated/onboarding/not-a-link').expect(404);
  });
});
