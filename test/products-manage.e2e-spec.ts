import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Account,
  createProduct,
  type CreatedProduct,
  registerBuyer,
  registerCreator,
} from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { countProducts, multipart, pdf, storedFiles } from './helpers/uploads.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('managing products', () => {
  let t: TestApp;
  let creator: Account;
  let other: Account;
  let buyer: Account;
  let product: CreatedProduct;
  let othersProduct: CreatedProduct;

  beforeAll(async () => {
    // sek: a currency whose smallest card payment (3.00 kr) is above the general 50.
    t = await createTestApp({ ALLOWED_CURRENCIES: 'usd,eur,sek' });
    creator = await registerCreator(t.http);
    other = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
    product = await createProduct(t.http, creator, { title: 'Mine' });
    othersProduct = await createProduct(t.http, other, { title: 'Theirs' });
  });
  afterAll(async () => {
    await t.close();
  });

  const fileKey = async (id: string) =>
    (
      await t.dataSource.query<{ file_key: string }[]>(
        'SELECT file_key FROM products WHERE id = $1',
        [id],
      )
    )[0].file_key;

  describe('access on every route', () => {
    const routes = (id: string) => [
      { method: 'get' as const, path: '/creator/products' },
      { method: 'get' as const, path: `/creator/products/${id}` },
      { method: 'patch' as const, path: `/creator/products/${id}` },
      { method: 'delete' as const, path: `/creator/products/${id}` },
      { method: 'put' as const, path: `/creator/products/${id}/file` },
    ];

    it('401 without a token and 403 FORBIDDEN_ROLE for a buyer', async () => {
      for (const route of routes(product.id)) {
        const anonymous = await t.http[route.method](route.path);
        expect([route.path, anonymous.status, anonymous.body.code]).toEqual([
          route.path,
          401,
          'UNAUTHENTICATED',
        ]);
        const asBuyer = await t.http[route.method](route.path).set(buyer.auth);
        expect([route.path, asBuyer.status, asBuyer.body.code]).toEqual([
          route.path,
          403,
          'FORBIDDEN_ROLE',
        ]);
      }
    });

    it("404 NOT_FOUND for another creator's product, exactly as for a missing one, and no change", async () => {
      const before = await t.dataSource.query('SELECT * FROM products WHERE id = $1', [
        othersProduct.id,
      ]);
      for (const id of [othersProduct.id, MISSING]) {
        const get = await t.http.get(`/creator/products/${id}`).set(creator.auth).expect(404);
        expect(get.body).toEqual({
          statusCode: 404,
          code: 'NOT_FOUND',
          message: 'Product not found',
        });
        await t.http
          .patch(`/creator/products/${id}`)
          .set(creator.auth)
          .send({ title: 'Hijacked' })
          .expect(404);
        await t.http.delete(`/creator/products/${id}`).set(creator.auth).expect(404);
        const files = storedFiles(t);
        await t.http
          .put(`/creator/products/${id}/file`)
          .set(creator.auth)
          .attach('file', pdf(), 'x.pdf')
          .expect(404);
        expect(storedFiles(t)).toEqual(files);
      }
      expect(
        await t.dataSource.query('SELECT * FROM products WHERE id = $1', [othersProduct.id]),
      ).toEqual(before);
    });

    it('400 VALIDATION_FAILED for an id that is not a UUID', async () => {
      for (const route of routes('not-a-uuid').slice(1)) {
        const res = await t.http[route.method](route.path).set(creator.auth);
        expect([route.path, res.status, res.body.code]).toEqual([
          route.path,
          400,
          'VALIDATION_FAILED',
        ]);
      }
    });
  });

  describe('GET /creator/products', () => {
    it('lists only your own products, every status, newest first, in keyset pages', async () => {
      const c = await registerCreator(t.http);
      const made: CreatedProduct[] = [];
      for (const status of [
        'published',
        'unpublished',
        'archived',
        'published',
        'published',
      ] as const) {
        made.push(await createProduct(t.http, c, { status }));
      }
      const seen: { id: string; status: string }[] = [];
      let cursor: string | null = null;
      do {
        const res = await t.http
          .get('/creator/products')
          .query(cursor === null ? { limit: 2 } : { limit: 2, cursor })
          .set(c.auth)
          .expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...(res.body.items as CreatedProduct[]));
        cursor = res.body.nextCursor as string | null;
      } while (cursor !== null);
      expect(seen.map((p) => p.id)).toEqual(made.map((p) => p.id).reverse());
      expect(seen.map((p) => p.status)).toEqual([
        'published',
        'published',
        'archived',
        'unpublished',
        'published',
      ]);
      expect(JSON.stringify(seen)).not.toMatch(/fileKey|file_key/);
    });

    it('400 for a bad limit or cursor', async () => {
      for (const query of [{ limit: 0 }, { limit: 101 }, { cursor: 'garbage' }, { extra: 1 }]) {
        const res = await t.http.get('/creator/products').query(query).set(creator.auth);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      }
    });
  });

  describe('GET /creator/products/:id', () => {
    it('answers the product with its status and sha256', async () => {
      const res = await t.http.get(`/creator/products/${product.id}`).set(creator.auth).expect(200);
      expect(res.body).toEqual(product);
    });
  });

  describe('PATCH /creator/products/:id', () => {
    it('changes only the fields sent', async () => {
      const p = await createProduct(t.http, creator, { description: 'old' });
      const res = await t.http
        .patch(`/creator/products/${p.id}`)
        .set(creator.auth)
        .send({ title: '  New title ', priceCents: 0, currency: 'eur', status: 'unpublished' })
        .expect(200);
      expect(res.body).toMatchObject({
        title: 'New title',
        description: 'old',
        priceCents: 0,
        currency: 'eur',
        status: 'unpublished',
        version: 1,
        sha256: p.sha256,
      });
      expect(new Date(res.body.updatedAt as string).getTime()).toBeGreaterThanOrEqual(
        new Date(p.updatedAt).getTime(),
      );
      const again = await t.http.get(`/creator/products/${p.id}`).set(creator.auth).expect(200);
      expect(again.body).toEqual(res.body);
    });

    it.each([
      ['status archived', { status: 'archived' }],
      ['an empty title', { title: '' }],
      ['priceCents 49', { priceCents: 49 }],
      ['priceCents 1.5', { priceCents: 1.5 }],
      ['priceCents as a string', { priceCents: '100' }],
      ['currency USD', { currency: 'USD' }],
      ['an unknown field', { fileKey: 'x/y/z' }],
    ])('400 VALIDATION_FAILED for %s, and no change', async (_label, body) => {
      const before = await t.http.get(`/creator/products/${product.id}`).set(creator.auth);
      const res = await t.http
        .patch(`/creator/products/${product.id}`)
        .set(creator.auth)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      const after = await t.http.get(`/creator/products/${product.id}`).set(creator.auth);
      expect(after.body).toEqual(before.body);
    });

    it('400 CURRENCY_NOT_ALLOWED for a currency outside the list', async () => {
      const res = await t.http
        .patch(`/creator/products/${product.id}`)
        .set(creator.auth)
        .send({ currency: 'chf' })
        .expect(400);
      expect(res.body.code).toBe('CURRENCY_NOT_ALLOWED');
    });

    it("keeps a paid price at or above its currency's smallest card payment", async () => {
      const p = await createProduct(t.http, creator, { priceCents: 100 });
      const patch = (body: object) =>
        t.http.patch(`/creator/products/${p.id}`).set(creator.auth).send(body);
      for (const body of [{ currency: 'sek' }, { priceCents: 299, currency: 'sek' }]) {
        const res = await patch(body).expect(400);
        expect(res.body).toMatchObject({
          code: 'VALIDATION_FAILED',
          fields: [
            { field: 'priceCents', errors: [expect.stringContaining('at least 300 in sek')] },
          ],
        });
      }
      const unchanged = await t.http.get(`/creator/products/${p.id}`).set(creator.auth);
      expect(unchanged.body).toMatchObject({ priceCents: 100, currency: 'usd' });
      await patch({ priceCents: 300, currency: 'sek' }).expect(200);
      expect((await patch({ priceCents: 250 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await patch({ priceCents: 0 }).expect(200)).body).toMatchObject({
        priceCents: 0,
        currency: 'sek',
      });
    });
  });

  describe('DELETE /creator/products/:id', () => {
    it('archives: gone from the catalogue, kept in your list and in storage; PATCH brings it back', async () => {
      const p = await createProduct(t.http, creator);
      await t.http.get(`/products/${p.id}`).expect(200);
      await t.http.delete(`/creator/products/${p.id}`).set(creator.auth).expect(204);
      await t.http.delete(`/creator/products/${p.id}`).set(creator.auth).expect(204);
      await t.http.get(`/products/${p.id}`).expect(404);
      const mine = await t.http.get(`/creator/products/${p.id}`).set(creator.auth).expect(200);
      expect(mine.body.status).toBe('archived');
      expect(existsSync(join(t.dataDir, 'storage', await fileKey(p.id)))).toBe(true);
      await t.http
        .patch(`/creator/products/${p.id}`)
        .set(creator.auth)
        .send({ status: 'published' })
        .expect(200);
      await t.http.get(`/products/${p.id}`).expect(200);
    });
  });

  describe('PUT /creator/products/:id/file', () => {
    it('stores the new file, raises the version, and keeps the old object', async () => {
      const p = await createProduct(t.http, creator, { fileName: 'v1.pdf' });
      const oldKey = await fileKey(p.id);
      const content = Buffer.concat([pdf('version two'), Buffer.alloc(10000, 2)]);
      const res = await t.http
        .put(`/creator/products/${p.id}/file`)
        .set(creator.auth)
        .attach('file', content, 'Second edition.pdf')
        .expect(200);
      expect(res.body).toMatchObject({
        id: p.id,
        title: p.title,
        fileName: 'Second edition.pdf',
        size: content.length,
        sha256: sha256(content),
        version: 2,
      });
      const newKey = await fileKey(p.id);
      expect(newKey).not.toBe(oldKey);
      expect(newKey.startsWith(`${creator.id}/${p.id}/`)).toBe(true);
      expect(existsSync(join(t.dataDir, 'storage', newKey))).toBe(true);
      // Older versions stay stored (GET /creator/products/:id/versions lists them).
      expect(existsSync(join(t.dataDir, 'storage', oldKey))).toBe(true);
    });

    it('keeps the old file and version when the new upload is refused', async () => {
      const p = await createProduct(t.http, creator);
      const key = await fileKey(p.id);
      const files = storedFiles(t);
      const rows = await countProducts(t);
      const refusals = [
        () =>
          t.http
            .put(`/creator/products/${p.id}/file`)
            .set(creator.auth)
            .attach('file', Buffer.alloc(0), 'a.pdf'),
        () =>
          t.http
            .put(`/creator/products/${p.id}/file`)
            .set(creator.auth)
            .attach('file', pdf(), 'a.exe'),
        () =>
          t.http
            .put(`/creator/products/${p.id}/file`)
            .set(creator.auth)
            .field('title', 'not here')
            .attach('file', pdf(), 'a.pdf'),
        () => {
          const { body, contentType } = multipart([{ name: 'title', value: 'x' }]);
          return t.http
            .put(`/creator/products/${p.id}/file`)
            .set(creator.auth)
            .set('Content-Type', contentType)
            .send(body);
        },
      ];
      const statuses: number[] = [];
      for (const refusal of refusals) statuses.push((await refusal()).status);
      expect(statuses).toEqual([400, 415, 400, 400]);
      expect(storedFiles(t)).toEqual(files);
      expect(await countProducts(t)).toBe(rows);
      expect(await fileKey(p.id)).toBe(key);
      const res = await t.http.get(`/creator/products/${p.id}`).set(creator.auth).expect(200);
      expect(res.body).toEqual(p);
    });
  });
});
