import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { snapshotTables } from './helpers/db-snapshot.js';
import {
  type Account,
  createProduct,
  registerBuyer,
  registerCreator,
} from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// The test client connects from 127.0.0.1: X-Forwarded-For plays the proxy that appends the
// address it saw, after whatever the client itself wrote into the header.

describe('TRUST_PROXY=true: one hop, the nearest proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      TRUST_PROXY: 'true',
      AUTH_RATE_LIMIT_PER_MINUTE: '3',
      LOGIN_FAILURES_PER_ACCOUNT: '1000',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (forwardedFor: string, email = 'nobody@example.com') =>
    t.http
      .post('/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ email, password: 'wrong password' });

  it('limits sign-in by the address the proxy saw, whatever the client writes before it', async () => {
    for (let i = 0; i < 3; i++) await login(`10.9.9.${i}, 203.0.113.10`).expect(401);
    const res = await login('10.9.9.99, 203.0.113.10').expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Another client behind the same proxy has its own count.
    await login('10.9.9.1, 203.0.113.11').expect(401);
  });

  it('limits sign-up the same way', async () => {
    const register = (spoofed: string) =>
      t.http
        .post('/register/buyer')
        .set('X-Forwarded-For', `${spoofed}, 203.0.113.20`)
        .send({ email: `r-${spoofed}@example.com`, password: 'correct horse battery' });
    for (let i = 0; i < 3; i++) await register(`10.8.8.${i}`).expect(201);
    await register('10.8.8.200').expect(429);
  });

  it('counts an IPv6 client per /64, not per address', async () => {
    for (let i = 1; i <= 3; i++) await login(`2001:db8:aa:bb::${i}`).expect(401);
    await login('2001:db8:aa:bb:ffff:1234:5678:9abc').expect(429);
    await login('2001:db8:aa:cc::1').expect(401);
  });

  it('logs the address the proxy saw with each download link', async () => {
    const creator = await registerCreator(t.http);
    const product = await createProduct(t.http, creator);
    await t.http
      .get(`/download/${product.id}`)
      .set(creator.auth)
      .set('X-Forwarded-For', '6.6.6.6, 198.51.100.23')
      .expect(200);
    const rows = await t.dataSource.query<{ ip: string }[]>(
      'SELECT ip FROM downloads WHERE product_id = $1',
      [product.id],
    );
    expect(rows).toEqual([{ ip: '198.51.100.23' }]);
  });
});

describe('TRUST_PROXY as a list of proxy addresses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      AUTH_RATE_LIMIT_PER_MINUTE: '2',
      LOGIN_FAILURES_PER_ACCOUNT: '1000',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('takes the nearest address that is not a trusted proxy', async () => {
    // 10.1.2.3 is a trusted proxy, so the client is the address before it.
    const login = (spoofed: string) =>
      t.http
        .post('/login')
        .set('X-Forwarded-For', `${spoofed}, 192.0.2.50, 10.1.2.3`)
        .send({ email: 'nobody@example.com', password: 'wrong password' });
    await login('1.1.1.1').expect(401);
    await login('2.2.2.2').expect(401);
    await login('3.3.3.3').expect(429);
  });
});

describe('failed sign-ins per account (LOGIN_FAILURES_PER_ACCOUNT)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      TRUST_PROXY: '1',
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  let address = 0;
  // Each attempt from another address: the per-address limit never applies.
  const login = (email: string, password: string) =>
    t.http
      .post('/login')
      .set('X-Forwarded-For', `198.18.${Math.floor(++address / 250)}.${address % 250}`)
      .send({ email, password });

  it('stops password guessing from many addresses with 429 and Retry-After, for 15 minutes', async () => {
    const victim = await registerBuyer(t.http);
    await login(victim.email, 'guess one').expect(401);
    await login(victim.email.toUpperCase(), 'guess two').expect(401);
    await login(` ${victim.email} `, 'guess three').expect(401);
    // Even the right password is refused now: the answer must not confirm a guess.
    const res = await login(victim.email, victim.password).expect(429);
    expect(res.body).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.any(String),
    });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Another account is not affected.
    const other = await registerBuyer(t.http);
    await login(other.email, other.password).expect(200);
  });

  it('answers an unknown email the same way, so the limit tells nothing about accounts', async () => {
    for (let i = 0; i < 3; i++) await login('ghost@example.com', `guess ${i}`).expect(401);
    await login('ghost@example.com', 'guess 4').expect(429);
  });

  it('does not count successful sign-ins', async () => {
    const user = await registerBuyer(t.http);
    for (let i = 0; i < 5; i++) await login(user.email, user.password).expect(200);
    await login(user.email, 'wrong').expect(401);
    await login(user.email, user.password).expect(200);
  });

  it('holds under concurrent guesses: at most the limit is checked', async () => {
    const user = await registerBuyer(t.http);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(user.email, `parallel guess ${i}`)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });

  const changePassword = (user: Account, currentPassword: string) =>
    t.http
      .put('/me/password')
      .set(user.auth)
      .set('X-Forwarded-For', `198.18.${Math.floor(++address / 250)}.${address % 250}`)
      .send({ currentPassword, newPassword: 'a brand new password' });

  it('counts wrong current passwords at PUT /me/password under the same limit as sign-in', async () => {
    const victim = await registerBuyer(t.http);
    const before = await snapshotTables(t.dataSource);
    for (let i = 0; i < 3; i++) await changePassword(victim, `guess ${i}`).expect(403);
    // A stolen access token allows no more guesses than /login does, and the right password is
    // refused too, so the answer does not confirm a guess.
    const res = await changePassword(victim, victim.password).expect(429);
    expect(res.body).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.any(String),
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(14 * 60);
    await login(victim.email, victim.password).expect(429);
    expect(await snapshotTables(t.dataSource)).toEqual(before);
  });

  it('shares the count between /login and PUT /me/password, and does not count a right password', async () => {
    const user = await registerBuyer(t.http);
    await login(user.email, 'wrong one').expect(401);
    await changePassword(user, 'wrong two').expect(403);
    const changed = await changePassword(user, user.password);
    expect(changed.status).toBe(204);
    await login(user.email, 'a brand new password').expect(200);
    await login(user.email, 'wrong three').expect(401);
    await changePassword(user, 'wrong four').expect(429);
  });

  it('holds under concurrent guesses at PUT /me/password', async () => {
    const user = await registerBuyer(t.http);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => changePassword(user, `parallel guess ${i}`)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 403)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });
});
