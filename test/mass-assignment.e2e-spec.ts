import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import {
  type Account,
  createProduct,
  registerBuyer,
  registerCreator,
} from './helpers/factories.js';
import { AccountTokensService } from '../src/auth/account-tokens.service.js';
import { SessionsService } from '../src/auth/sessions/sessions.service.js';
import { UserTokenPurpose } from '../src/auth/user-token.entity.js';
import { snapshotTables } from './helpers/db-snapshot.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { multipart, pdf, storedFiles } from './helpers/uploads.js';

// Fields a client must never set, with values an attacker would send.
const FORBIDDEN: Record<string, unknown> = {
  role: 'creator',
  id: randomUUID(),
  creatorId: randomUUID(),
  buyerId: randomUUID(),
  userId: randomUUID(),
  productId: randomUUID(),
  purchaseId: randomUUID(),
  status: 'paid',
  amountCents: 1,
  refundedCents: 0,
  fileKey: 'someone/else/key',
  fileSize: 1,
  sha256: '0'.repeat(64),
  version: 99,
  fileVersion: 99,
  createdAt: '2000-01-01T00:00:00.000Z',
  updatedAt: '2000-01-01T00:00:00.000Z',
  paidAt: '2000-01-01T00:00:00.000Z',
  provider: 'free',
  providerSessionId: 'cs_test_forged',
  passwordHash: '$2b$04$abcdefghijklmnopqrstuv',
  isAdmin: true,
};

interface BodyRoute {
  name: string;
  /** Sends a valid body with `extra` added to it. */
  send(extra: Record<string, unknown>): Promise<Response>;
  /** Fields this route does accept under the same name (not forbidden here). */
  accepts?: string[];
}

describe('mass assignment: fields a caller must not set are refused', () => {
  let t: TestApp;
  let creator: Account;
  let buyer: Account;
  let productId: string;
  let sessionId: string;
  const routes: BodyRoute[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    creator = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
    productId = (await createProduct(t.http, creator)).id;
    const started = await t.http.post(`/purchase/${productId}`).set(buyer.auth).send({});
    sessionId = (started.body as { sessionId: string }).sessionId;

    // Unused refresh tokens: POST /refresh spends one on each accepted call.
    const sessions = t.app.get(SessionsService);
    const refreshTokens: string[] = [];
    for (let i = 0; i < Object.keys(FORBIDDEN).length + 2; i++) {
      refreshTokens.push((await sessions.open(buyer.id)).token);
    }
    const accountTokens = t.app.get(AccountTokensService);
    const verifyToken = (
      await accountTokens.issue(t.dataSource.manager, buyer.id, UserTokenPurpose.VerifyEmail, 3600)
    ).token;
    const resetToken = (
      await accountTokens.issue(
        t.dataSource.manager,
        (await registerBuyer(t.http)).id,
        UserTokenPurpose.ResetPassword,
        3600,
      )
    ).token;
    // Its own account: an accepted password change ends the account's other sessions.
    const changer = await registerBuyer(t.http);

    const json = (
      method: 'post' | 'patch' | 'put',
      path: string,
      auth: Record<string, string>,
      body: object,
    ) => ({
      send: (extra: Record<string, unknown>) =>
        t.http[method](path)
          .set(auth)
          .send({ ...body, ...extra }),
    });
    const form = (extra: Record<string, unknown>) =>
      Object.entries(extra).map(([name, value]) => ({ name, value: String(value) }));
    routes.push(
      {
        name: 'POST /register/buyer',
        ...json(
          'post',
          '/register/buyer',
          {},
          {
            email: `m-${randomUUID()}@example.com`,
            password: 'correct horse battery',
          },
        ),
      },
      {
        name: 'POST /register/creator',
        ...json(
          'post',
          '/register/creator',
          {},
          {
            email: `m-${randomUUID()}@example.com`,
            password: 'correct horse battery',
          },
        ),
      },
      {
        name: 'POST /login',
        ...json('post', '/login', {}, { email: buyer.email, password: buyer.password }),
      },
      {
        name: 'POST /refresh',
        send: (extra) =>
          t.http.post('/refresh').send({ refresh_token: refreshTokens.pop(), ...extra }),
      },
      {
        name: 'POST /password/forgot',
        ...json('post', '/password/forgot', {}, { email: `nobody-${randomUUID()}@example.com` }),
      },
      {
        name: 'POST /password/reset',
        ...json('post', '/password/reset', {}, { token: resetToken, newPassword: 'new password' }),
      },
      {
        name: 'POST /email/verify',
        ...json('post', '/email/verify', {}, { token: verifyToken }),
      },
      {
        name: 'PUT /me/password',
        ...json('put', '/me/password', changer.auth, {
          currentPassword: changer.password,
          newPassword: changer.password,
        }),
      },
      {
        name: 'PATCH /creator/products/:id',
        // `status` is the product's own (published/unpublished), which a creator may set.
        accepts: ['status'],
        ...json('patch', `/creator/products/${productId}`, creator.auth, { title: 'Renamed' }),
      },
      {
        name: 'POST /purchase/:productId',
        ...json('post', `/purchase/${productId}`, buyer.auth, {}),
      },
      {
        name: 'POST /checkout/simulated/:sessionId/pay',
        send: (extra) =>
          t.http
            .post(`/checkout/simulated/${sessionId}/pay`)
            .type('form')
            .send({ outcome: 'success', ...extra }),
      },
      {
        name: 'POST /creator/upload',
        send: (extra) => {
          const { body, contentType } = multipart([
            { name: 'title', value: 'Mass assignment' },
            { name: 'priceCents', value: '900' },
            ...form(extra),
            { name: 'file', filename: 'a.pdf', content: pdf(), contentType: 'application/pdf' },
          ]);
          return t.http
            .post('/creator/upload')
            .set(creator.auth)
            .set('Content-Type', contentType)
            .send(body);
        },
      },
      {
        name: 'PUT /creator/products/:id/file',
        send: (extra) => {
          // Fields after the file: the file is stored first, then must be removed again.
          const { body, contentType } = multipart([
            { name: 'file', filename: 'b.pdf', content: pdf(), contentType: 'application/pdf' },
            ...form(extra),
          ]);
          return t.http
            .put(`/creator/products/${productId}/file`)
            .set(creator.auth)
            .set('Content-Type', contentType)
            .send(body);
        },
      },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('covers every route that reads a JSON, form or multipart body', () => {
    expect(routes.map((r) => r.name).sort()).toEqual([
      'PATCH /creator/products/:id',
      'POST /checkout/simulated/:sessionId/pay',
      'POST /creator/upload',
      'POST /email/verify',
      'POST /login',
      'POST /password/forgot',
      'POST /password/reset',
      'POST /purchase/:productId',
      'POST /refresh',
      'POST /register/buyer',
      'POST /register/creator',
      'PUT /creator/products/:id/file',
      'PUT /me/password',
    ]);
  });

  it('answers 400 VALIDATION_FAILED and changes no row and no file', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      for (const [field, value] of Object.entries(FORBIDDEN)) {
        if (route.accepts?.includes(field)) continue;
        const tables = await snapshotTables(t.dataSource);
        const files = storedFiles(t);
        const res = await route.send({ [field]: value });
        const body = res.body as { code?: string; statusCode?: number };
        if (res.status !== 400 || body.code !== 'VALIDATION_FAILED' || body.statusCode !== 400) {
          failures.push(`${route.name} with ${field}: ${res.status} ${JSON.stringify(res.body)}`);
        }
        if (JSON.stringify(await snapshotTables(t.dataSource)) !== JSON.stringify(tables)) {
          failures.push(`${route.name} with ${field}: a row changed`);
        }
        if (JSON.stringify(storedFiles(t)) !== JSON.stringify(files)) {
          failures.push(`${route.name} with ${field}: storage changed`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('still accepts the same bodies without the forbidden fields (the refusals are not noise)', async () => {
    for (const route of routes) {
      const res = await route.send({});
      expect({ route: route.name, ok: res.status < 400 }).toEqual({ route: route.name, ok: true });
    }
  });
});
