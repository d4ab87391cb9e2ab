import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe('GET /health and GET /health/ready', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('liveness answers without a token', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('readiness checks the database, storage and payments', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      checks: {
        database: { status: 'up' },
        storage: { status: 'up' },
        payments: { status: 'up' },
      },
    });
  });
});

describe('readiness with Stripe but no webhook secret', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PAYMENTS_DRIVER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_ready' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 503 and names the failing check', async () => {
    const res = await t.http.get('/health/ready').expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.checks.database).toEqual({ status: 'up' });
    expect(res.body.checks.payments).toEqual({ status: 'down', error: 'no Stripe webhook secret' });
    // Liveness is unaffected: the process itself is fine.
    await t.http.get('/health').expect(200);
  });
});
