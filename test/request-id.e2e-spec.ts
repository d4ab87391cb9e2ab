import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Some routes skip the request logger when no request lines are written; every answer still
// carries its request id.
describe.each(['silent', 'info'])('X-Request-Id at LOG_LEVEL=%s', (level) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: level });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['/health', 200],
    ['/health/ready', 200],
    ['/products', 200],
    ['/products?limit=5&sort=price_asc', 200],
    ['/products?q=fonts', 200],
    ['/products?limit=0', 400],
    ['/me', 401],
    ['/no-such-route', 404],
  ])('GET %s (%i) echoes a sane id and makes one otherwise', async (path, status) => {
    const echoed = await t.http.get(path).set('X-Request-Id', 'probe-42.a:b').expect(status);
    expect(echoed.headers['x-request-id']).toBe('probe-42.a:b');
    const made = await t.http.get(path).set('X-Request-Id', 'bad id\t!').expect(status);
    expect(made.headers['x-request-id']).toMatch(UUID);
    const plain = await t.http.get(path).expect(status);
    expect(plain.headers['x-request-id']).toMatch(UUID);
  });
});
