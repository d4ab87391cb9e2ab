import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Account,
  createProduct,
  type CreatedProduct,
  registerCreator,
} from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

interface Item {
  id: string;
  priceCents: number;
  createdAt: string;
  creator: { id: string; displayName: string };
}

const encode = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

describe('the public catalogue', () => {
  let t: TestApp;
  let ada: Account;
  let bob: Account;
  const published: CreatedProduct[] = [];
  let hidden: CreatedProduct[];

  beforeAll(async () => {
    t = await createTestApp();
    ada = await registerCreator(t.http, { displayName: 'Ada' });
    bob = await registerCreator(t.http, { displayName: 'Bob' });
    // 55 published products; prices repeat so that ties are broken by id.
    for (let i = 0; i < 55; i++) {
      published.push(
        await createProduct(t.http, i % 2 === 0 ? ada : bob, {
          title: `Item ${i}`,
          priceCents: [0, 100, 100, 2500, 99_999_999][i % 5],
        }),
      );
    }
    hidden = [
      await createProduct(t.http, ada, { title: 'Hidden draft', status: 'unpublished' }),
      await createProduct(t.http, ada, { title: 'Hidden archived', status: 'archived' }),
    ];
  });
  afterAll(async () => {
    await t.close();
  });

  describe('GET /products', () => {
    it('is public, lists published products only, with the creator and never a storage key', async () => {
      const res = await t.http.get('/products').query({ limit: 100 }).expect(200);
      expect(res.body.items).toHaveLength(55);
      expect(res.body.nextCursor).toBeNull();
      const ids = (res.body.items as Item[]).map((p) => p.id);
      for (const h of hidden) expect(ids).not.toContain(h.id);
      const first = res.body.items[0] as Record<string, unknown>;
      expect(Object.keys(first).sort()).toEqual(
        [
          'id',
          'title',
          'description',
          'priceCents',
          'currency',
          'creator',
          'fileName',
          'size',
          'contentType',
          'version',
          'createdAt',
          'updatedAt',
          'purchasable',
        ].sort(),
      );
      expect(first.creator).toEqual({ id: ada.id, displayName: 'Ada' });
      const keys = await t.dataSource.query<{ file_key: string }[]>(
        'SELECT file_key FROM products',
      );
      const text = JSON.stringify(res.body);
      for (const { file_key } of keys) expect(text).not.toContain(file_key);
      expect(text).not.toMatch(/sha256|fileKey|storage|\/files\//);
    });

    it.each(['newest', 'price_asc', 'price_desc'] as const)(
      'pages through every product once, sorted by %s, while new ones arrive',
      async (sort) => {
        const before = new Set(
          ((await t.http.get('/products').query({ limit: 100, sort })).body.items as Item[]).map(
            (p) => p.id,
          ),
        );
        const seen: Item[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res = await t.http
            .get('/products')
            .query(cursor === null ? { sort, limit: 20 } : { sort, limit: 20, cursor })
            .expect(200);
          seen.push(...(res.body.items as Item[]));
          cursor = res.body.nextCursor as string | null;
          pages += 1;
          // A new product between pages, at either end of the price range.
          await createProduct(t.http, ada, { priceCents: pages % 2 === 0 ? 0 : 99_999_999 });
        } while (cursor !== null);
        const ids = seen.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of before) expect(ids).toContain(id);
        const key = (p: Item): [number | string, string] =>
          sort === 'newest' ? [p.createdAt, p.id] : [p.priceCents, p.id];
        for (let i = 1; i < seen.length; i++) {
          const [a, b] = [key(seen[i - 1]), key(seen[i])];
          const cmp = a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1;
          expect(sort === 'price_asc' ? cmp : -cmp).toBe(-1);
        }
        expect(pages).toBeGreaterThanOrEqual(3);
      },
    );

    it('refuses a cursor made for another sort, or not made here (400)', async () => {
      const first = await t.http.get('/products').query({ limit: 2 }).expect(200);
      const cursor = first.body.nextCursor as string;
      await t.http.get('/products').query({ cursor, sort: 'newest' }).expect(200);
      for (const query of [
        { cursor, sort: 'price_asc' },
        { cursor: 'garbage' },
        { cursor: encode(['newest', '2026-02-30T00:00:00.000000Z', published[0].id]) },
        { cursor: encode(['newest', "'; DROP TABLE products; --", published[0].id]) },
        { cursor: encode(['price_asc', 1.5, published[0].id]), sort: 'price_asc' },
        { cursor: encode(['price_asc', 100, 'not-a-uuid']), sort: 'price_asc' },
      ]) {
        const res = await t.http.get('/products').query(query);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      }
    });

    it('400 for a bad limit, sort, creatorId or an unknown parameter', async () => {
      for (const query of [
        { limit: 0 },
        { limit: 101 },
        { limit: 'ten' },
        { sort: 'random' },
        { creatorId: 'ada' },
        { page: 2 },
      ]) {
        const res = await t.http.get('/products').query(query);
        expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
      }
    });

    it('filters by creator', async () => {
      const res = await t.http
        .get('/products')
        .query({ creatorId: bob.id, limit: 100 })
        .expect(200);
      const items = res.body.items as Item[];
      expect(items.length).toBe(27);
      expect(items.every((p) => p.creator.id === bob.id)).toBe(true);
    });

    it('searches titles and descriptions, published products only', async () => {
      const c = await registerCreator(t.http, { displayName: 'Searcher' });
      const lightroom = await createProduct(t.http, c, {
        title: 'Lightroom presets: Autumn',
        description: 'Warm tones for portraits',
      });
      const brushes = await createProduct(t.http, c, {
        title: 'Procreate brushes',
        description: 'Autumn leaves and watercolor',
      });
      await createProduct(t.http, c, {
        title: 'Autumn draft',
        description: 'not yet',
        status: 'unpublished',
      });
      const search = async (q: string, extra: Record<string, string> = {}) =>
        (
          (
            await t.http
              .get('/products')
              .query({ q, ...extra })
              .expect(200)
          ).body.items as Item[]
        )
          .map((p) => p.id)
          .sort();
      expect(await search('autumn')).toEqual([lightroom.id, brushes.id].sort());
      expect(await search('PORTRAITS')).toEqual([lightroom.id]);
      expect(await search('autumn -brushes')).toEqual([lightroom.id]);
      expect(await search('"autumn leaves"')).toEqual([brushes.id]);
      expect(await search('presets or watercolor')).toEqual([lightroom.id, brushes.id].sort());
      expect(await search('nothing-like-this')).toEqual([]);
      expect(await search('autumn', { sort: 'price_desc', creatorId: c.id })).toEqual(
        [lightroom.id, brushes.id].sort(),
      );
      // Odd input is a query, never an error.
      expect(await search('"unbalanced & | ! ( :*')).toEqual([]);
    });

    it('answers an ETag and 304 when nothing changed', async () => {
      const res = await t.http.get('/products').query({ limit: 5 }).expect(200);
      const etag = res.headers.etag;
      expect(etag).toMatch(/^W\//);
      await t.http.get('/products').query({ limit: 5 }).set('If-None-Match', etag).expect(304);
      await createProduct(t.http, bob);
      await t.http.get('/products').query({ limit: 5 }).set('If-None-Match', etag).expect(200);
    });
  });

  describe('GET /products/:id', () => {
    it('answers a published product to anyone', async () => {
      const p = published[3];
      const res = await t.http.get(`/products/${p.id}`).expect(200);
      expect(res.body).toEqual({
        id: p.id,
        title: p.title,
        description: p.description,
        priceCents: p.priceCents,
        currency: p.currency,
        creator: { id: bob.id, displayName: 'Bob' },
        fileName: p.fileName,
        size: p.size,
        contentType: p.contentType,
        version: 1,
        createdAt: p.createdAt,
        updatedAt: p.updatedAt,
        // Platform payouts mode: every published product can be bought.
        purchasable: true,
      });
    });

    it('404 for unpublished, archived and missing products; 400 for a non-UUID', async () => {
      for (const h of hidden) {
        const res = await t.http.get(`/products/${h.id}`).expect(404);
        expect(res.body).toEqual({
          statusCode: 404,
          code: 'NOT_FOUND',
          message: 'Product not found',
        });
      }
      await t.http.get('/products/00000000-0000-4000-8000-000000000000').expect(404);
      const bad = await t.http.get('/products/../etc').expect(404);
      expect(bad.body.code).toBe('NOT_FOUND');
      expect((await t.http.get('/products/abc').expect(400)).body.code).toBe('VALIDATION_FAILED');
    });
  });
});
