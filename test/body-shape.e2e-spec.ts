import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Test } from 'supertest';
import { MAX_BODY_DEPTH, MAX_BODY_VALUES } from '../src/common/body-shape.js';
import { createFixtures, type Fixtures } from './authz/fixtures.js';
import { snapshotTables } from './helpers/db-snapshot.js';
import { listRoutes, type RouteInfo } from './helpers/routes.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

// 100,000 bytes, under the 100 kB limit: what overflowed class-transformer's stack (a 500).
const DEEP_ARRAYS = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
const nestedObject = (levels: number) =>
  `${'{"a":'.repeat(levels - 1)}{"a":1}${'}'.repeat(levels - 1)}`;
const wideObject = (keys: number) =>
  `{${Array.from({ length: keys }, (_, i) => `"k${i}":0`).join(',')}}`;
const wideArray = (elements: number) => `[${Array(elements).fill('0').join(',')}]`;
const wideForm = (fields: number) => Array.from({ length: fields }, (_, i) => `f${i}=1`).join('&');

const JSON_BODIES: Record<string, string> = {
  '50,000 nested arrays': DEEP_ARRAYS,
  [`objects nested ${MAX_BODY_DEPTH + 1} levels`]: nestedObject(MAX_BODY_DEPTH + 1),
  [`an object of ${MAX_BODY_VALUES + 1} keys`]: wideObject(MAX_BODY_VALUES + 1),
  [`an array of ${MAX_BODY_VALUES * 4} numbers`]: wideArray(MAX_BODY_VALUES * 4),
};

describe('the shape of request bodies', () => {
  let t: TestApp;
  let f: Fixtures;
  let routes: RouteInfo[];

  beforeAll(async () => {
    t = await createTestApp();
    f = await createFixtures(t);
    // HEAD answers carry no body to check.
    routes = listRoutes(t).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  });
  afterAll(async () => {
    await t.close();
  });

  /** The route with real ids, called by someone its guard lets through. */
  function call(route: RouteInfo): Test {
    const params: Record<string, string> = {
      id: route.path.startsWith('/purchases/') ? f.purchaseA : f.productToEdit,
      productId: f.productA,
      sessionId: f.openSession,
      token: f.fileToken,
    };
    const path = route.path.replace(/:(\w+)/g, (_m, name: string) => params[name]);
    const caller = route.roles?.includes('creator')
      ? f.creator.auth
      : route.roles?.includes('buyer')
        ? f.buyer.auth
        : route.roles !== undefined
          ? f.owner.auth
          : {};
    return t.http[route.method.toLowerCase() as Method](path).set(caller);
  }

  it('has routes with a body to test: unauthenticated ones and form ones among them', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /login',
        'POST /register/creator',
        'POST /register/buyer',
        'POST /checkout/simulated/:sessionId/pay',
        'POST /checkout/simulated/:sessionId/cancel',
        'PATCH /creator/products/:id',
        'POST /purchase/:productId',
        'POST /webhooks/stripe',
      ]),
    );
  });

  it.each(Object.keys(JSON_BODIES))(
    'answers 400 to %s on every route with a body, before anything reads it',
    async (kind) => {
      const before = await snapshotTables(t.dataSource);
      for (const route of routes) {
        const res = await call(route)
          .set('Content-Type', 'application/json')
          .send(JSON_BODIES[kind]);
        expect({
          route: `${route.method} ${route.path}`,
          status: res.status,
          body: res.body,
        }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 400,
          body: {
            statusCode: 400,
            code: 'VALIDATION_FAILED',
            message: expect.stringMatching(/nest at most \d+ levels and hold at most \d+ values/),
          },
        });
      }
      expect(await snapshotTables(t.dataSource)).toEqual(before);
    },
  );

  it(`answers 400 to a form of ${MAX_BODY_VALUES + 1} fields on every route with a body`, async () => {
    const before = await snapshotTables(t.dataSource);
    for (const route of routes) {
      const res = await call(route)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(wideForm(MAX_BODY_VALUES + 1));
      expect([`${route.method} ${route.path}`, res.status, res.body]).toEqual([
        `${route.method} ${route.path}`,
        400,
        {
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          message: expect.stringMatching(/hold at most \d+ values/),
        },
      ]);
    }
    expect(await snapshotTables(t.dataSource)).toEqual(before);
  });

  it('reads bodies within the bounds as before', async () => {
    // At the bounds the body is parsed and reaches validation (which refuses the extra field).
    for (const body of [
      `{"email":"a@example.com","password":"x","x":${nestedObject(MAX_BODY_DEPTH - 1)}}`,
      `{"email":"a@example.com","password":"x","x":${wideArray(MAX_BODY_VALUES - 10)}}`,
    ]) {
      const res = await t.http.post('/login').set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('x'),
      });
      expect(res.body.message).not.toMatch(/nest at most/);
    }
    // Brackets and commas inside strings are text, not structure.
    const text = '[{,'.repeat(2 * MAX_BODY_VALUES);
    const res = await t.http
      .post('/login')
      .send({ email: 'nobody@example.com', password: text.slice(0, 72) });
    expect(res.status).toBe(401);
    const long = await t.http.post('/login').send({ email: 'nobody@example.com', password: text });
    expect(long.body.message).not.toMatch(/nest at most/);
  });

  it('refuses JSON in another charset than UTF-8 with 415', async () => {
    const res = await t.http
      .post('/login')
      .set('Content-Type', 'application/json; charset=utf-16le')
      .send(Buffer.from('{"email":"a@example.com","password":"xxxxxxxx"}', 'utf16le'));
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      statusCode: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'JSON bodies must be UTF-8',
    });
  });
});
