import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerBuyer, registerCreator } from './helpers/factories.js';
import { listRoutes } from './helpers/routes.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

export { listRoutes, type RouteInfo } from './helpers/routes.js';

describe('every route declares its access', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is either @Public() or @Auth(...), never both, never neither', () => {
    const routes = listRoutes(t);
    expect(routes.length).toBeGreaterThan(5);
    const undeclared = routes.filter((r) => r.isPublic === (r.roles !== undefined));
    expect(undeclared).toEqual([]);
  });

  it('answers HEAD on every GET route as GET does, headers only (as documented)', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const answers: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const route of listRoutes(t).filter((r) => r.method === 'GET')) {
      const path = route.path.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const caller = route.roles?.includes('creator') ? creator : buyer;
      const get = await t.http.get(path).set(caller.auth);
      const head = await t.http.head(path).set(caller.auth);
      const name = `${route.method} ${route.path}`;
      answers[name] = { status: head.status, body: head.text ?? '' };
      expected[name] = { status: get.status, body: '' };
    }
    expect(Object.keys(answers).length).toBeGreaterThan(10);
    expect(answers).toEqual(expected);
  });

  it('answers 401 on every non-public route without a token', async () => {
    for (const route of listRoutes(t).filter((r) => !r.isPublic)) {
      const path = route.path.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const res = await t.http[route.method.toLowerCase() as 'get'](path);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
      });
    }
  });
});

describe('every rate-limited route', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Limits of 2: the two accounts below spend the client's `auth` points, the walk the rest.
    t = await createTestApp({
      AUTH_RATE_LIMIT_PER_MINUTE: '2',
      DOWNLOAD_LINKS_PER_MINUTE: '2',
      PAYMENT_REQUESTS_PER_MINUTE: '2',
      UPLOADS_PER_HOUR: '2',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After once its bucket is spent (as documented)', async () => {
    const creator = await registerCreator(t.http);
    const buyer = await registerBuyer(t.http);
    const limited = listRoutes(t).filter((r) => r.rateLimit !== undefined);
    expect(limited.map((r) => r.rateLimit)).toEqual(
      expect.arrayContaining(['auth', 'downloads', 'payments', 'uploads']),
    );
    const answers: Record<string, unknown> = {};
    for (const route of limited) {
      const path = route.path.replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const caller = route.roles?.includes('creator') ? creator : buyer;
      let res;
      // Whatever the first calls answer (a bad body, an unknown id), the guard counted them.
      for (let i = 0; i < 3 && res?.status !== 429; i++) {
        res = await t.http[route.method.toLowerCase() as 'get'](path).set(caller.auth);
      }
      answers[`${route.method} ${route.path}`] = {
        status: res?.status,
        code: res?.body.code,
        retryAfter: Number(res?.headers['retry-after']) > 0,
      };
    }
    expect(answers).toEqual(
      Object.fromEntries(
        limited.map((r) => [
          `${r.method} ${r.path}`,
          { status: 429, code: 'RATE_LIMITED', retryAfter: true },
        ]),
      ),
    );
  });
});
