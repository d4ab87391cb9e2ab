import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { type Caller, createFixtures, type Fixtures, spareTokens } from './authz/fixtures.js';
import { type Checker, createChecker, runs } from './helpers/fuzz.js';
import { listRoutes, type RouteInfo } from './helpers/routes.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { multipart, type Part } from './helpers/uploads.js';
import { signJwt } from './helpers/tokens.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

// Strings an attacker tries in a path segment, already URL-safe as sent.
const NASTY_SEGMENTS = [
  '..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '%00',
  'abc%00.pdf',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AE%C0%AE',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '%7B%7D',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '%27%20OR%201%3D1--',
  '%3Cscript%3E',
  'a'.repeat(5000),
];

const segment = fc.oneof(
  fc.constantFrom(...NASTY_SEGMENTS),
  fc.string({ maxLength: 300 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 50 }).map(encodeURIComponent),
  fc.uuid().map(String),
  fc.integer().map(String),
  fc.double().map(String),
);

const queryValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer().map(String),
  fc.constantFrom('', '0', '-1', '101', '1.5', '1e3', 'NaN', '[object Object]', 'null'),
  fc.constantFrom(
    '2025-02-30',
    '9999-99-99',
    'Mars/Olympus',
    'csv',
    'xml',
    'newest',
    'x'.repeat(3000),
  ),
  fc.base64String({ maxLength: 200 }),
);
const queryKey = fc.oneof(
  fc.constantFrom('limit', 'cursor', 'q', 'creatorId', 'sort', 'from', 'to', 'tz', 'format'),
  fc.constantFrom('limit[]', 'q[$ne]', '__proto__', 'constructor', 'error'),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 6 });

const authorization = fc.oneof(
  fc.constantFrom(
    '',
    'Bearer',
    'Bearer ',
    'bearer',
    'Bearer null',
    'Bearer undefined',
    'Bearer a.b.c',
    'Bearer ...',
    'Basic dXNlcjpwYXNz',
    'Token abc',
    `Bearer ${'A'.repeat(8000)}`,
    `Bearer ${signJwt({ sub: '00000000-0000-4000-8000-000000000000', role: 'buyer' }, '', { alg: 'none', typ: 'JWT' }).replace(/[^.]+$/, '')}`,
    `Bearer ${signJwt({ sub: "' OR 1=1 --", role: 'creator' }, 'guess')}`,
  ),
  fc.string({ maxLength: 200 }).map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, 'x')}`),
  fc.string({ maxLength: 100 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
);
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-16',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'multipart/form-data; boundary=x',
    'text/plain',
    'application/xml',
    'application/octet-stream',
    '*/*',
    'application/json; charset=bogus',
  ),
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
);
const rawBody = fc.oneof(
  fc.json(),
  fc.string({ maxLength: 500 }),
  fc.constantFrom('{', '{"a":', '[]', 'null', '"x"', '{"__proto__":{"role":"creator"}}', '\u0000'),
);

const part: fc.Arbitrary<Part> = fc.oneof(
  fc.record({
    name: fc.constantFrom('title', 'description', 'priceCents', 'currency', 'role', 'file', 'x'),
    value: fc.oneof(fc.string({ maxLength: 300 }), fc.integer().map(String), fc.constant('')),
  }),
  fc.record({
    name: fc.constantFrom('file', 'files', 'title', ''),
    filename: fc.oneof(
      fc.constantFrom(
        '../../etc/passwd',
        '..\\..\\boot.ini',
        'a\u0000.pdf',
        'book.pdf',
        'x.exe',
        'noext',
        '.pdf',
        'ünïcødé 📚.pdf',
        `${'a'.repeat(1000)}.pdf`,
        'CON.pdf',
        'a"b\r\nX-Injected: 1.pdf',
      ),
      fc.string({ maxLength: 80 }),
    ),
    content: fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
      fc.constantFrom(
        Buffer.alloc(0),
        Buffer.from('%PDF-1.7\nfuzz\n%%EOF\n'),
        Buffer.from('MZ\x90\x00fake executable'),
        Buffer.from('\x7fELF\x02\x01\x01'),
      ),
    ),
    contentType: fc.constantFrom('application/pdf', 'application/octet-stream', 'text/html', 'x/y'),
    encoded: fc.boolean(),
  }),
);

describe('fuzzing every route', () => {
  // Each property sends hundreds of requests and snapshots every table after each refusal; on
  // a shared, busy machine that outgrows the suite's 60 s default.
  jest.setTimeout(240_000);
  let t: TestApp;
  let f: Fixtures;
  let routes: RouteInfo[];
  let check: Checker['check'];
  // Tokens good enough to get past the guard, so the fuzz reaches validation and services.
  const callers: Caller[] = ['anonymous', 'buyer', 'owner', 'creator', 'otherCreator'];

  beforeAll(async () => {
    t = await createTestApp({ DOWNLOAD_URL_TTL_SECONDS: '3600' });
    f = await createFixtures(t);
    routes = listRoutes(t);
    // POST /logout ends the session it is called with: each call gets a session of its own.
    spare = await spareTokens(t, f, callers, 100);
    check = (await createChecker(t)).check;
  });
  afterAll(async () => {
    await t.close();
  });

  let spare: Partial<Record<Caller, string[]>> = {};
  const headersFor = (method: string, path: string, caller: Caller) => {
    if (method !== 'POST' || path !== '/logout' || spare[caller] === undefined) {
      return f.callers[caller].headers;
    }
    const token = spare[caller].pop();
    if (token === undefined) throw new Error(`no spare session left for ${caller}`);
    return { Authorization: `Bearer ${token}` };
  };
  const open = (method: string, path: string, caller: Caller) =>
    t.http[method.toLowerCase() as Method](path).set(headersFor(method, path, caller));

  const validParams = (route: RouteInfo): Record<string, string> => ({
    id: f.productA,
    productId: f.productA,
    sessionId: f.openSession,
    token: f.fileToken,
    ...(route.path.startsWith('/purchases/') ? { id: f.purchaseA } : {}),
  });

  it('path parameters: traversal, NUL, bad escapes, long and unicode strings, numbers', async () => {
    const withParams = routes.filter((r) => r.path.includes(':'));
    expect(withParams.length).toBeGreaterThan(5);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withParams),
        fc.constantFrom(...callers),
        segment,
        async (route, caller, value) => {
          const path = route.path.replace(/:\w+/g, value);
          await check(`${route.method} ${path.slice(0, 200)} as ${caller}`, () =>
            open(route.method, path, caller),
          );
        },
      ),
      runs(40 * withParams.length),
    );
  });

  it('query strings on every GET route', async () => {
    const gets = routes.filter((r) => r.method === 'GET');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...gets),
        fc.constantFrom(...callers),
        query,
        async (route, caller, pairs) => {
          const params = validParams(route);
          const path = route.path.replace(/:(\w+)/g, (_m, name: string) => params[name]);
          const qs = new URLSearchParams(pairs).toString();
          await check(`GET ${path}?${qs.slice(0, 300)} as ${caller}`, () =>
            open('GET', `${path}?${qs}`, caller),
          );
        },
      ),
      runs(30 * gets.length),
    );
  });

  it('generated bodies and content types on every route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom(...callers),
        contentType,
        rawBody,
        async (route, caller, type, body) => {
          const params = validParams(route);
          const path = route.path.replace(/:(\w+)/g, (_m, name: string) => params[name]);
          await check(`${route.method} ${path} as ${caller}, ${type}: ${body.slice(0, 200)}`, () =>
            open(route.method, path, caller).set('Content-Type', type).send(body),
          );
        },
      ),
      runs(12 * routes.length),
    );
  });

  it('JSON objects with generated fields and values', async () => {
    const withBody = routes.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.constantFrom(...callers),
        fc.dictionary(
          fc.oneof(
            fc.constantFrom(
              'email',
              'password',
              'displayName',
              'title',
              'description',
              'priceCents',
              'currency',
              'status',
              'successUrl',
              'cancelUrl',
              'outcome',
              'refresh_token',
              'currentPassword',
              'newPassword',
              'token',
              '__proto__',
              'constructor',
            ),
            fc.string({ maxLength: 10 }),
          ),
          fc.oneof(fc.jsonValue(), fc.string({ maxLength: 100_000 / 20 })),
          { maxKeys: 5 },
        ),
        async (route, caller, object) => {
          const params = validParams(route);
          const path = route.path.replace(/:(\w+)/g, (_m, name: string) => params[name]);
          await check(
            `${route.method} ${path} as ${caller}: ${JSON.stringify(object).slice(0, 300)}`,
            () => open(route.method, path, caller).send(object),
          );
        },
      ),
      runs(30 * withBody.length),
    );
  });

  it('Authorization and other headers: bad shapes, huge values, alg none', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        authorization,
        fc.constantFrom(
          'x-request-id',
          'x-forwarded-for',
          'range',
          'if-none-match',
          'accept',
          'cookie',
        ),
        fc.oneof(
          fc.string({ maxLength: 4000 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
          fc.constantFrom('bytes=0-', 'bytes=9-1', 'text/csv', '*'),
        ),
        async (route, auth, name, value) => {
          const params = validParams(route);
          const path = route.path.replace(/:(\w+)/g, (_m, n: string) => params[n]);
          await check(
            `${route.method} ${path} Authorization: ${auth.slice(0, 100)}; ${name}: ${value.slice(0, 100)}`,
            () => {
              const req = t.http[route.method.toLowerCase() as Method](path).set(name, value);
              return auth === '' ? req : req.set('Authorization', auth);
            },
          );
        },
      ),
      runs(8 * routes.length),
    );
  });

  it('multipart forms on the upload routes', async () => {
    const uploads = routes.filter((r) => r.path === '/creator/upload' || r.path.endsWith('/file'));
    expect(uploads.length).toBe(2);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...uploads),
        fc.array(part, { maxLength: 5 }),
        fc.constantFrom('whole', 'truncated', 'no boundary'),
        async (route, parts, shape) => {
          const path = route.path.replace(':id', f.productToReplace);
          const { body, contentType: type } = multipart(parts);
          const sent = shape === 'truncated' ? body.subarray(0, Math.floor(body.length / 2)) : body;
          const header = shape === 'no boundary' ? 'multipart/form-data' : type;
          const files = (parts as { filename?: string }[]).map((p) => p.filename ?? '-');
          await check(
            `${route.method} ${path} ${shape} ${JSON.stringify(files).slice(0, 200)}`,
            () =>
              t.http[route.method.toLowerCase() as Method](path)
                .set(f.callers.creator.headers)
                .set('Content-Type', header)
                .send(sent),
          );
        },
      ),
      runs(40 * uploads.length),
    );
  });
});
