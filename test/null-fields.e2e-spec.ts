import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { snapshotTables } from './helpers/db-snapshot.js';
import {
  type Account,
  createProduct,
  registerBuyer,
  registerCreator,
} from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Method = 'post' | 'put' | 'patch';
interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

// Every JSON or form body the API documents, field by field (multipart fields are text: they
// cannot be null). Read from the committed document, so a new body is covered without a change.
const document = JSON.parse(readFileSync('openapi.json', 'utf8')) as OpenApi;
const bodyFields: { method: Method; path: string; field: string; signed: boolean }[] = [];
for (const [path, operations] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(operations)) {
    for (const [type, { schema }] of Object.entries(operation.requestBody?.content ?? {})) {
      if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') continue;
      const resolved = schema?.$ref
        ? document.components.schemas[schema.$ref.split('/').pop()!]
        : schema;
      // A signed body (Stripe's webhook events) is the provider's: any change of its bytes, a
      // null among them, is refused for the signature before a field is read.
      const signed = (operation.parameters ?? []).some(
        (p) => p.in === 'header' && p.required === true && /signature/i.test(p.name),
      );
      for (const field of Object.keys(resolved?.properties ?? {})) {
        bodyFields.push({ method: method as Method, path, field, signed });
      }
    }
  }
}

describe('null in a body field', () => {
  let t: TestApp;
  let creator: Account;
  let buyer: Account;
  let productId: string;
  let sessionId: string;

  beforeAll(async () => {
    t = await createTestApp();
    creator = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
    productId = (await createProduct(t.http, creator)).id;
    const checkout = await t.http.post(`/purchase/${productId}`).set(buyer.auth).send({});
    expect(checkout.status).toBe(201);
    sessionId = checkout.body.sessionId as string;
  });
  afterAll(async () => {
    await t.close();
  });

  /** A body the route accepts, so that only the null field can be what it refuses. */
  function validBody(method: Method, path: string): Record<string, unknown> {
    switch (`${method.toUpperCase()} ${path}`) {
      case 'POST /register/creator':
      case 'POST /register/buyer':
        return { email: `n-${randomUUID()}@example.com`, password: 'correct horse battery' };
      case 'POST /login':
        return { email: buyer.email, password: buyer.password };
      case 'PUT /me/password':
        return { currentPassword: buyer.password, newPassword: 'another good password' };
      default:
        return {};
    }
  }

  it('documents bodies to test, the reported ones among them', () => {
    const fields = bodyFields.map((b) => `${b.method.toUpperCase()} ${b.path} ${b.field}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'PATCH /creator/products/{id} title',
        'PATCH /creator/products/{id} status',
        'POST /register/buyer displayName',
        'POST /purchase/{productId} successUrl',
        'POST /checkout/simulated/{sessionId}/pay outcome',
        'POST /webhooks/stripe type',
      ]),
    );
  });

  it.each(bodyFields.map((b) => [`${b.method.toUpperCase()} ${b.path}`, b.field, b] as const))(
    '%s refuses {"%s": null} with 400 and changes nothing',
    async (_route, field, { method, path, signed }) => {
      const url = path
        .replace('{id}', productId)
        .replace('{productId}', productId)
        .replace('{sessionId}', sessionId)
        .replace(/\{\w+\}/g, randomUUID());
      const caller = path.startsWith('/creator') ? creator : buyer;
      const before = await snapshotTables(t.dataSource);
      const res = await t.http[method](url)
        .set(caller.auth)
        .send({ ...validBody(method, path), [field]: null });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: expect.objectContaining(
          signed
            ? { statusCode: 400, code: 'WEBHOOK_SIGNATURE_INVALID' }
            : {
                statusCode: 400,
                code: expect.stringMatching(/^[A-Z_]+$/),
                message: expect.stringContaining(field),
              },
        ),
      });
      expect(await snapshotTables(t.dataSource)).toEqual(before);
    },
  );
});
