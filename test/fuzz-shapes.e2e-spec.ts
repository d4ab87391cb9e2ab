import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import type { Test } from 'supertest';
import { MAX_BODY_DEPTH, MAX_BODY_VALUES } from '../src/common/body-shape.js';
import {
  buyThroughSimulatedCheckout,
  type Caller,
  createFixtures,
  type Fixtures,
  spareTokens,
} from './authz/fixtures.js';
import { type Checker, createChecker, runs } from './helpers/fuzz.js';
import { listRoutes } from './helpers/routes.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// The fuzz suite's structural half: bodies at and past the shape bounds, `null` in the fields of
// every documented body, and cursors mutated field by field. Routes, bodies and list routes are
// read from the running app's own OpenAPI document (/docs-json), so a new route, body field or
// cursor is covered without a change here.

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  format?: string;
  minimum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
}
interface Parameter {
  name: string;
  in: string;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { schemas: Record<string, Schema> };
}

interface Endpoint {
  method: Method;
  /** As the document writes it: /creator/products/{id}. */
  path: string;
  operation: Operation;
  /** Who the route's guard lets through (the one a request is usually sent as). */
  caller: Caller;
}

const callers: Caller[] = ['anonymous', 'buyer', 'owner', 'creator', 'otherCreator'];

// Bodies around and past the bounds of src/common/body-shape.ts, in every nesting and width the
// scanner counts differently; at most about 110 kB (past 100 kB: 413).
const NESTINGS: [string, string][] = [
  ['[', ']'],
  ['{"a":', '}'],
  ['[{"a":', '}]'],
  ['{"":[', ']}'],
  ['{"email":{"password":', '}}'],
];
const nestedBody = fc
  .record({
    depth: fc.oneof(
      fc.integer({ min: MAX_BODY_DEPTH - 2, max: MAX_BODY_DEPTH + 2 }),
      fc.integer({ min: 1, max: 60_000 }),
    ),
    nesting: fc.constantFrom(...NESTINGS),
    leaf: fc.constantFrom('1', 'null', '"x"', '[]', '{}', '-0.5e-7', '"\\u0000"'),
    field: fc.option(fc.constantFrom('email', 'title', 'priceCents', 'outcome', 'uploadId'), {
      nil: undefined,
    }),
  })
  .map(({ depth, nesting: [open, close], leaf, field }) => {
    const levels = Math.min(depth, Math.floor(110_000 / (open.length + close.length)));
    const inner = open.repeat(levels) + leaf + close.repeat(levels);
    return field === undefined ? inner : `{"${field}":${inner}}`;
  });
const WIDE_ITEMS: Record<string, (i: number) => string> = {
  keys: (i) => `"k${i}":0`,
  'one key repeated': () => '"title":"x"',
  numbers: () => '0',
  nulls: () => 'null',
  objects: () => '{}',
  strings: (i) => `"${i}"`,
};
const wideBody = fc
  .record({
    width: fc.oneof(
      fc.integer({ min: MAX_BODY_VALUES - 2, max: MAX_BODY_VALUES + 2 }),
      fc.integer({ min: 1, max: 30_000 }),
    ),
    kind: fc.constantFrom(...Object.keys(WIDE_ITEMS)),
    wrapped: fc.boolean(),
  })
  .map(({ width, kind, wrapped }) => {
    const item = WIDE_ITEMS[kind];
    const keyed = kind === 'keys' || kind === 'one key repeated';
    const items = Array.from({ length: Math.min(width, 30_000) }, (_, i) => item(i)).join(',');
    const body = keyed ? `{${items}}` : `[${items}]`;
    return wrapped ? `{"description":${body}}` : body;
  });
const wideForm = fc
  .record({ fields: fc.integer({ min: 1, max: 12_000 }), nested: fc.boolean() })
  .map(({ fields, nested }) =>
    nested
      ? `outcome${'[a]'.repeat(Math.min(fields, 20_000))}=1`
      : Array.from({ length: fields }, (_, i) => `f${i}=1`).join('&'),
  );
const shapedBody = fc.oneof(
  nestedBody.map((body) => ({ type: 'application/json', body })),
  wideBody.map((body) => ({ type: 'application/json', body })),
  wideForm.map((body) => ({ type: 'application/x-www-form-urlencoded', body })),
);

// What a field gets in place of a value: null, or null one level down.
const nullish = fc.constantFrom<unknown>(null, null, null, [null], { value: null });

describe('fuzzing every route: body shapes, nulls and cursors', () => {
  // Each property sends hundreds of requests and snapshots every table after each refusal.
  jest.setTimeout(240_000);
  let t: TestApp;
  let f: Fixtures;
  let document: OpenApi;
  let endpoints: Endpoint[];
  let checker: Checker;
  let spare: Partial<Record<Caller, string[]>> = {};

  beforeAll(async () => {
    t = await createTestApp({ DOWNLOAD_URL_TTL_SECONDS: '3600' });
    f = await createFixtures(t);
    // Lists need a second item for a cursor: the owner buys a second product of the creator.
    await buyThroughSimulatedCheckout(t.http, f.owner, f.productToReplace);
    document = (await t.http.get('/docs-json').expect(200)).body as OpenApi;
    const roles = new Map(
      listRoutes(t).map((r) => [`${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`, r.roles]),
    );
    endpoints = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => {
        // Express answers HEAD with the GET route where there is no HEAD route of its own.
        const key = [`${method.toUpperCase()} ${path}`, `GET ${path}`].find(
          (k, i) => roles.has(k) && (i === 0 || method === 'head'),
        );
        if (key === undefined) {
          throw new Error(`${method} ${path} is documented but not a route of the app`);
        }
        const required = roles.get(key);
        const caller: Caller =
          required === undefined ? 'anonymous' : required.includes('creator') ? 'creator' : 'owner';
        return { method: method as Method, path, operation, caller };
      }),
    );
    // POST /logout ends the session it is called with: each call gets a session of its own.
    spare = await spareTokens(t, f, callers, 40);
    checker = await createChecker(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** The route with ids of the fixtures in its path. */
  function urlOf(path: string): string {
    const params: Record<string, string> = {
      id: path.startsWith('/purchases/')
        ? f.purchaseA
        : path.includes('uploads/')
          ? f.uploadInProgress
          : f.productToEdit,
      productId: f.productA,
      purchaseId: f.purchaseA,
      sessionId: f.openSession,
      token: f.fileToken,
      linkId: '6f9619ff-8b86-4011-b42d-00c04fc964ff',
    };
    return path.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? name);
  }

  function send(endpoint: Endpoint, caller: Caller, url = urlOf(endpoint.path)): Test {
    let headers = f.callers[caller].headers;
    if (endpoint.method === 'post' && endpoint.path === '/logout' && spare[caller]) {
      const token = spare[caller].pop();
      if (token === undefined) throw new Error(`no spare session left for ${caller}`);
      headers = { Authorization: `Bearer ${token}` };
    }
    return t.http[endpoint.method](url).set(headers);
  }

  // Mostly the caller the guard lets through, so that the request reaches the parsers and the
  // services; sometimes anyone.
  const callerOf = (endpoint: Endpoint) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(endpoint.caller) },
      { weight: 1, arbitrary: fc.constantFrom(...callers) },
    );

  it('deeply nested and very wide bodies, JSON and forms, on every route', async () => {
    expect(endpoints.length).toBeGreaterThan(40);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints).chain((e) => fc.tuple(fc.constant(e), callerOf(e))),
        shapedBody,
        async ([endpoint, caller], { type, body }) => {
          await checker.check(
            `${endpoint.method.toUpperCase()} ${endpoint.path} as ${caller}, ${type}: ${body.length} bytes ${body.slice(0, 60)}…`,
            // Framed by its length: Node's client sends a HEAD body (and a GET's, a DELETE's)
            // unframed otherwise, the server reads those bytes as a second, malformed request,
            // and its 400 comes back before the real answer to the HEAD.
            () =>
              send(endpoint, caller)
                .set('Content-Type', type)
                .set('Content-Length', String(Buffer.byteLength(body)))
                .send(body),
          );
        },
      ),
      runs(5 * endpoints.length),
    );
  });

  /** A schema with its $ref (and a lone allOf) followed. */
  function resolve(schema: Schema | undefined): Schema | undefined {
    if (schema?.$ref) return resolve(document.components.schemas[schema.$ref.split('/').pop()!]);
    if (schema?.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  }

  /** A value the field's schema allows, so that only the null fields are wrong. */
  function plausible(schema: Schema | undefined): unknown {
    const s = resolve(schema);
    if (s === undefined) return 'x';
    if (s.example !== undefined) return s.example;
    if (s.enum !== undefined) return s.enum[0];
    if (s.type === 'integer' || s.type === 'number') return Math.max(s.minimum ?? 0, 50);
    if (s.type === 'boolean') return true;
    if (s.type === 'array') return [];
    if (s.type === 'object') return {};
    return s.format === 'uuid' ? f.uploadFinished : 'x';
  }

  it('null in every field of every documented JSON body, alone and together', async () => {
    const bodies = endpoints.flatMap((endpoint) => {
      const schema = resolve(endpoint.operation.requestBody?.content['application/json']?.schema);
      const fields = Object.entries(schema?.properties ?? {});
      return fields.length === 0 ? [] : [{ endpoint, fields }];
    });
    expect(bodies.map((b) => `${b.endpoint.method} ${b.endpoint.path}`)).toEqual(
      expect.arrayContaining(['patch /creator/products/{id}', 'post /login', 'put /me/password']),
    );
    const fieldCount = bodies.reduce((n, b) => n + b.fields.length, 0);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bodies).chain((b) =>
          fc.tuple(
            fc.constant(b),
            callerOf(b.endpoint),
            fc.subarray(b.fields, { minLength: 1 }),
            fc.array(nullish, { minLength: b.fields.length, maxLength: b.fields.length }),
            fc.array(fc.oneof(fc.constant('plausible'), fc.constant('absent'), fc.jsonValue()), {
              minLength: b.fields.length,
              maxLength: b.fields.length,
            }),
          ),
        ),
        async ([{ endpoint, fields }, caller, nulls, nullValues, others]) => {
          const body: Record<string, unknown> = {};
          fields.forEach(([name, schema], i) => {
            if (nulls.some(([n]) => n === name)) body[name] = nullValues[i];
            else if (others[i] === 'plausible') body[name] = plausible(schema);
            else if (others[i] !== 'absent') body[name] = others[i];
          });
          const res = await checker.check(
            `${endpoint.method.toUpperCase()} ${endpoint.path} as ${caller}: ${JSON.stringify(body).slice(0, 300)}`,
            () => send(endpoint, caller).send(body),
          );
          // A field set to null is refused unless null has a documented meaning (none has yet).
          if (caller === endpoint.caller && res.status < 300) {
            throw new Error(`accepted null: ${JSON.stringify(body)} -> ${res.status}`);
          }
        },
      ),
      runs(8 * fieldCount),
    );
  });

  it('cursors mutated field by field on every list route', async () => {
    // Every GET with a cursor, and a real cursor for each of its enum values (a cursor is tied
    // to its sort), taken from a page of one item.
    const lists = endpoints.filter(
      (e) => e.method === 'get' && e.operation.parameters?.some((p) => p.name === 'cursor'),
    );
    expect(lists.map((l) => l.path)).toEqual(
      expect.arrayContaining(['/products', '/creator/products', '/creator/sales', '/mypurchases']),
    );
    const enumsOf = (e: Endpoint) =>
      (e.operation.parameters ?? [])
        .filter((p) => p.in === 'query' && resolve(p.schema)?.enum !== undefined)
        .map((p) => ({ name: p.name, values: resolve(p.schema)!.enum!.map(String) }));
    const sources: { list: Endpoint; query: Record<string, string>; values: unknown[] }[] = [];
    for (const list of lists) {
      const combos = enumsOf(list).reduce<Record<string, string>[]>(
        (all, { name, values }) => all.flatMap((q) => values.map((v) => ({ ...q, [name]: v }))),
        [{}],
      );
      for (const query of combos) {
        const res = await send(list, list.caller).query({ ...query, limit: 1 });
        const next = (res.body as { nextCursor?: string | null }).nextCursor;
        if (res.status !== 200 || typeof next !== 'string') continue;
        const values = JSON.parse(Buffer.from(next, 'base64url').toString()) as unknown[];
        sources.push({ list, query, values });
      }
      // Each list must give a cursor to mutate: if this fails, the fixtures need a second item.
      expect({ list: list.path, cursors: sources.some((s) => s.list === list) }).toEqual({
        list: list.path,
        cursors: true,
      });
    }
    await checker.rebase();

    const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
    // A field's text with one character replaced, removed or doubled: a time one digit off,
    // a UUID with a bad character.
    const edited = (value: unknown) =>
      fc
        .record({
          at: fc.nat(),
          op: fc.constantFrom('replace', 'remove', 'double'),
          char: fc.constantFrom(...'0159-:.TZ+aAfFg /\\"\u0000é'.split('')),
        })
        .map(({ at, op, char }) => {
          const s = text(value);
          const i = s.length === 0 ? 0 : at % s.length;
          if (op === 'remove') return s.slice(0, i) + s.slice(i + 1);
          if (op === 'double') return s.slice(0, i + 1) + s.slice(i);
          return s.slice(0, i) + char + s.slice(i + 1);
        });
    // One run of digits of a field replaced by as many other digits: month 13, day 39, hour 24,
    // a price past the column, each still in the shape the cursor's pattern expects.
    const digitsEdited = (value: unknown) =>
      fc.record({ at: fc.nat(), digits: fc.nat() }).map(({ at, digits }) => {
        const s = text(value);
        const runs = [...s.matchAll(/\d+/g)];
        if (runs.length === 0) return s;
        const run = runs[at % runs.length];
        const width = run[0].length;
        const next = String(digits % 10 ** Math.min(width, 15)).padStart(width, '0');
        const edited = s.slice(0, run.index) + next + s.slice(run.index + width);
        return typeof value === 'number' ? Number(edited) : edited;
      });
    const replacement = (value: unknown) =>
      fc.oneof(
        { weight: 4, arbitrary: digitsEdited(value) },
        edited(value),
        fc.constantFrom<unknown>(
          null,
          '',
          0,
          -1,
          1.5,
          2 ** 31,
          2 ** 53,
          -(2 ** 53),
          1e308,
          true,
          [],
          {},
          'newest',
          'price_asc',
          '2026-02-30T10:00:00.000000Z',
          '9999-12-31T23:59:59.999999Z',
          '0001-01-01T00:00:00.000000Z',
          '1970-01-01T00:00:00.000Z',
          '00000000-0000-0000-0000-000000000000',
          'ffffffff-ffff-ffff-ffff-ffffffffffff',
          'x'.repeat(400),
        ),
        fc.jsonValue({ maxDepth: 2 }),
        fc.string({ maxLength: 40 }),
      );
    const mutation = fc.constantFrom(...sources).chain((source) =>
      fc.tuple(
        fc.constant(source),
        fc.oneof(
          // One field replaced, in place.
          fc
            .nat({ max: source.values.length - 1 })
            .chain((i) =>
              replacement(source.values[i]).map((v) =>
                source.values.map((old, j) => (j === i ? v : old)),
              ),
            ),
          // One field removed, or one added.
          fc
            .nat({ max: source.values.length - 1 })
            .map((i) => source.values.filter((_, j) => j !== i)),
          fc.jsonValue({ maxDepth: 1 }).map((v) => [...source.values, v]),
        ),
        // The same cursor under another value of the list's enums (another sort, the CSV).
        fc.record(
          Object.fromEntries(
            enumsOf(source.list).map(({ name, values }) => [
              name,
              fc.constantFrom(source.query[name], ...values),
            ]),
          ),
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async ([{ list, values }, mutated, query]) => {
        const cursor = Buffer.from(JSON.stringify(mutated)).toString('base64url');
        const res = await checker.check(
          `GET ${list.path}?${new URLSearchParams(query as Record<string, string>).toString()} cursor ${JSON.stringify(mutated).slice(0, 200)} (from ${JSON.stringify(values)})`,
          () => send(list, list.caller).query({ ...query, limit: 1, cursor }),
        );
        expect([200, 400]).toContain(res.status);
      }),
      runs(80 * sources.length),
    );
  });
});
