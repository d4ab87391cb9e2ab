import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
