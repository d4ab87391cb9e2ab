import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { CALLERS, type Caller, createFixtures, type Fixtures } from './authz/fixtures.js';
import { type Expected, MATRIX, REQUESTS, type RouteRequest } from './authz/matrix.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { multipart } from './helpers/uploads.js';
import { listRoutes } from './helpers/routes.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';

interface Recorded {
  route: string;
  caller: Caller;
  status: number;
  /** Body text plus the Location header: everything a client could read. */
  text: string;
  cacheControl: string | undefined;
}

/** Fills `:name` segments from the row's fixtures; a parameter left unfilled is a matrix bug. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => {
    if (params[name] === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(params[name]);
  });
}

export async function send(
  t: TestApp,
  method: string,
  path: string,
  spec: RouteRequest | undefined,
  headers: Record<string, string>,
  f: Fixtures,
  caller: Caller,
): Promise<Response> {
  const req = t.http[method.toLowerCase() as Method](path).set(
    spec?.headers?.(f, caller) ?? headers,
  );
  if (spec?.json) return req.send(spec.json(f, caller));
  if (spec?.form) return req.type('form').send(spec.form);
  if (spec?.multipart) {
    const { body, contentType } = multipart(spec.multipart());
    return req.set('Content-Type', contentType).send(body);
  }
  if (spec?.raw) {
    return req
      .set({ 'Content-Type': spec.raw.contentType, ...spec.raw.headers })
      .send(spec.raw.body);
  }
  return req;
}

const textOf = (res: Response): string => {
  const body = Buffer.isBuffer(res.body)
    ? res.body.toString('utf8')
    : (res.text ?? JSON.stringify(res.body ?? ''));
  return `${body}\n${String(res.headers.location ?? '')}`;
};

/** Why a response does not match its expectation, or null when it does. */
function mismatch(expected: Expected, res: Response): string | null {
  const [status, code] = String(expected).split(' ');
  const body = res.body as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (res.status !== Number(status)) {
    return `expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
  }
  if (code !== undefined && body.code !== code)
    return `expected ${expected}, got code ${String(body.code)}`;
  // A HEAD answer has no body by HTTP; its status says it all.
  const head = (res as unknown as { req: { method: string } }).req.method === 'HEAD';
  if (
    res.status >= 400 &&
    !head &&
    (body.statusCode !== res.status || typeof body.message !== 'string')
  ) {
    return `error body without the { statusCode, code, message } shape: ${res.text}`;
  }
  return null;
}

describe('the authorization matrix', () => {
  let t: TestApp;
  let f: Fixtures;
  const recorded: Recorded[] = [];
  // Storage keys as they were before the walk (a replaced file's old key included).
  let keysBefore: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ DOWNLOAD_URL_TTL_SECONDS: '3600' });
    f = await createFixtures(t);
    keysBefore = (
      await t.dataSource.query<{ file_key: string }[]>('SELECT file_key FROM products')
    ).map((r) => r.file_key);
  });
  afterAll(async () => {
    await t.close();
  });

  it('has exactly one row per route of the app', () => {
    const app = listRoutes(t).map((r) => `${r.method} ${r.path}`);
    const rows = Object.keys(MATRIX);
    expect({ routesWithoutRow: app.filter((r) => !rows.includes(r)) }).toEqual({
      routesWithoutRow: [],
    });
    expect({ rowsWithoutRoute: rows.filter((r) => !app.includes(r)) }).toEqual({
      rowsWithoutRoute: [],
    });
    expect(Object.keys(REQUESTS).filter((r) => !(r in MATRIX))).toEqual([]);
  });

  it('gives every caller the expected answer on every route', async () => {
    const failures: string[] = [];
    for (const [route, row] of Object.entries(MATRIX)) {
      const [method, template] = route.split(' ');
      const spec = REQUESTS[route];
      const path = fillPath(template, spec?.params?.(f) ?? {});
      for (const [i, caller] of CALLERS.entries()) {
        const res = await send(t, method, path, spec, f.callers[caller].headers, f, caller);
        recorded.push({
          route,
          caller,
          status: res.status,
          text: textOf(res),
          cacheControl: res.headers['cache-control'],
        });
        const problem = mismatch(row[i], res);
        if (problem !== null) failures.push(`${route} as ${caller}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
    expect(recorded.length).toBe(Object.keys(MATRIX).length * CALLERS.length);
  });

  describe('no cache keeps', () => {
    // A signed-in caller's answers are theirs alone, and some are credentials themselves (a
    // download link, a token pair): a shared computer's browser cache must not hold them.
    const stored = (r: Recorded) => r.status < 300 && r.cacheControl !== 'no-store';

    it("a signed-in caller's answer on a route that needs a token", () => {
      const guarded = (route: string) => String(MATRIX[route][0]).startsWith('401');
      const answers = recorded.filter((r) => guarded(r.route) && r.status < 300);
      expect(answers.length).toBeGreaterThan(40);
      expect(
        answers.filter(stored).map((r) => `${r.route} as ${r.caller}: ${r.cacheControl}`),
      ).toEqual([]);
    });

    it('an answer that carries tokens', () => {
      const answers = recorded.filter((r) => r.status < 300 && r.text.includes('access_token'));
      expect(new Set(answers.map((r) => r.route))).toEqual(
        new Set(['POST /register/creator', 'POST /register/buyer', 'POST /login', 'POST /refresh']),
      );
      expect(answers.filter(stored).map((r) => `${r.route} as ${r.caller}`)).toEqual([]);
    });
  });

  describe('no response of the walk leaks', () => {
    it('a password or its hash', () => {
      const leaks = recorded.filter((r) => /\$2[aby]\$\d\d\$|passw/i.test(r.text));
      expect(leaks.map((r) => `${r.route} as ${r.caller}`)).toEqual([]);
    });

    it('a storage key', async () => {
      const keys = [
        ...keysBefore,
        ...(await t.dataSource.query<{ file_key: string }[]>('SELECT file_key FROM products')).map(
          (r) => r.file_key,
        ),
      ];
      expect(keys.length).toBeGreaterThan(5);
      const leaks = recorded.filter(
        (r) => /file_?key/i.test(r.text) || keys.some((key) => r.text.includes(key)),
      );
      expect(leaks.map((r) => `${r.route} as ${r.caller}`)).toEqual([]);
    });

    it('a purchase of someone else (a creator sees only purchases of their products)', async () => {
      const purchases = await t.dataSource.query<
        { id: string; buyer_id: string; creator_id: string }[]
      >(
        `SELECT p.id, p.buyer_id, pr.creator_id FROM purchases p
         JOIN products pr ON pr.id = p.product_id`,
      );
      expect(purchases.map((p) => p.id)).toEqual(
        expect.arrayContaining([f.purchaseA, f.purchaseB]),
      );
      const leaks: string[] = [];
      for (const r of recorded) {
        const me = f.callers[r.caller].userId;
        for (const p of purchases) {
          if (p.buyer_id !== me && p.creator_id !== me && r.text.includes(p.id)) {
            leaks.push(`${r.route} as ${r.caller} shows purchase ${p.id}`);
          }
        }
      }
      expect(leaks).toEqual([]);
      // The walk did show purchases to those entitled to them, so the check had something to see.
      expect(recorded.some((r) => r.caller === 'owner' && r.text.includes(f.purchaseA))).toBe(true);
    });
  });
});
