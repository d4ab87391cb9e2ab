import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { STORAGE, type StorageDriver } from '../src/storage/storage.interface.js';
import {
  type Account,
  createProduct,
  registerBuyer,
  registerCreator,
} from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import {
  countProducts,
  eventually,
  multipart,
  type Part,
  pdf,
  storedFiles,
} from './helpers/uploads.js';

const MAX = 64 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('POST /creator/upload', () => {
  let t: TestApp;
  let creator: Account;
  let buyer: Account;

  beforeAll(async () => {
    // sek: a currency whose smallest card payment (3.00 kr) is above the general 50.
    t = await createTestApp({
      MAX_UPLOAD_BYTES: String(MAX),
      ALLOWED_CURRENCIES: 'usd,eur,gbp,cad,aud,jpy,sek',
    });
    creator = await registerCreator(t.http, { displayName: 'Ada' });
    buyer = await registerBuyer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (parts: Part[], auth = creator.auth) => {
    const { body, contentType } = multipart(parts);
    return t.http.post('/creator/upload').set(auth).set('Content-Type', contentType).send(body);
  };
  const fields = (overrides: Record<string, string> = {}): Part[] =>
    Object.entries({ title: 'A book', priceCents: '1500', ...overrides }).map(([name, value]) => ({
      name,
      value,
    }));
  const file = (content = pdf(), filename = 'book.pdf'): Part => ({
    name: 'file',
    filename,
    content,
  });

  /** Runs a request that must fail and checks that it left neither a row nor a file. */
  async function refused(
    run: () => Promise<{ status: number; body: Record<string, unknown> }>,
    status: number,
    code: string,
  ) {
    const rowsBefore = await countProducts(t);
    const filesBefore = storedFiles(t);
    const res = await run();
    expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    expect(res.body).toMatchObject({ statusCode: status, message: expect.any(String) });
    expect(await countProducts(t)).toBe(rowsBefore);
    await eventually(() => storedFiles(t).length === filesBefore.length);
    expect(storedFiles(t)).toEqual(filesBefore);
    return res;
  }

  describe('success', () => {
    it('stores the file, computes size, sha256 and type, and answers the product', async () => {
      const content = pdf('the whole book');
      const res = await send([
        ...fields({ description: 'Chapter one', currency: 'eur' }),
        file(content, 'My Book.pdf'),
      ]).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        title: 'A book',
        description: 'Chapter one',
        priceCents: 1500,
        currency: 'eur',
        status: 'published',
        fileName: 'My Book.pdf',
        size: content.length,
        contentType: 'application/pdf',
        sha256: sha256(content),
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const [row] = await t.dataSource.query<{ file_key: string }[]>(
        'SELECT file_key FROM products WHERE id = $1',
        [res.body.id],
      );
      expect(row.file_key).toMatch(new RegExp(`^${creator.id}/${res.body.id}/[0-9a-f-]{36}$`));
      expect(JSON.stringify(res.body)).not.toContain(row.file_key);
      expect(existsSync(join(t.dataDir, 'storage', row.file_key))).toBe(true);
    });

    it('takes the fields after the file as well as before it', async () => {
      const content = pdf('fields last');
      const res = await send([file(content), ...fields({ title: 'Fields last' })]).expect(201);
      expect(res.body).toMatchObject({ title: 'Fields last', sha256: sha256(content) });
    });

    it('defaults to usd and an empty description, and accepts a free product', async () => {
      const res = await send([...fields({ priceCents: '0' }), file()]).expect(201);
      expect(res.body).toMatchObject({ priceCents: 0, currency: 'usd', description: '' });
    });

    it('accepts a file of exactly MAX_UPLOAD_BYTES', async () => {
      const content = Buffer.alloc(MAX, 7);
      const res = await send([...fields(), file(content, 'data.zip')]).expect(201);
      expect(res.body.size).toBe(MAX);
      expect(res.body.sha256).toBe(sha256(content));
    });

    it('works from a plain supertest form too (as curl -F would send it)', async () => {
      const product = await createProduct(t.http, creator, {
        fileName: 'cover.png',
        content: pdf(),
      });
      expect(product.fileName).toBe('cover.png');
    });

    it('detects the type from the bytes, else from the name', async () => {
      const png = Buffer.from(
        '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489',
        'hex',
      );
      const a = await send([...fields(), file(png, 'image.jpg')]).expect(201);
      expect(a.body.contentType).toBe('image/png');
      const b = await send([...fields(), file(Buffer.from('a,b\n1,2\n'), 'data.csv')]).expect(201);
      expect(b.body.contentType).toBe('text/csv');
    });

    it('can be downloaded through a signed local link with the same sha256', async () => {
      const content = Buffer.concat([pdf(), Buffer.alloc(20000, 1)]);
      const res = await send([...fields(), file(content, 'Ünïcode 🎧.pdf')]).expect(201);
      const [row] = await t.dataSource.query<{ file_key: string }[]>(
        'SELECT file_key FROM products WHERE id = $1',
        [res.body.id],
      );
      const storage = t.app.get<StorageDriver>(STORAGE);
      const link = await storage.signedDownloadUrl({
        key: row.file_key,
        filename: res.body.fileName as string,
        contentType: res.body.contentType as string,
        expiresInSeconds: 60,
      });
      const download = await fetch(link.url.replace(t.config.publicUrl, t.baseUrl));
      expect(download.status).toBe(200);
      expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(sha256(content));
      expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    });
  });

  describe('file names are kept cleaned, never as paths', () => {
    it.each([
      ['../../etc/evil.pdf', 'evil.pdf'],
      ['..\\..\\windows\\evil.pdf', 'evil.pdf'],
      ['say "hi".pdf', 'say "hi".pdf'],
      ['  spaces  in name.pdf ', 'spaces  in name.pdf'],
      ['Tom & Jerry.pdf', 'Tom & Jerry.pdf'],
      ['Ça coûte 10€ – 日本語.pdf', 'Ça coûte 10€ – 日本語.pdf'],
      ['🎨 presets 👩‍🎨.zip', '🎨 presets 👩‍🎨.zip'],
    ])('%j is kept as %j', async (raw, cleaned) => {
      const res = await send([...fields(), file(pdf(), raw)]).expect(201);
      expect(res.body.fileName).toBe(cleaned);
      const [row] = await t.dataSource.query<{ file_key: string; file_name: string }[]>(
        'SELECT file_key, file_name FROM products WHERE id = $1',
        [res.body.id],
      );
      expect(row.file_name).toBe(cleaned);
      expect(row.file_key.startsWith(`${creator.id}/${res.body.id}/`)).toBe(true);
    });
  });

  it("decodes the browsers' escapes %22, %0D and %0A in a file name, and no other", async () => {
    // What Chrome, Firefox and Node's FormData send for a name with a quote or a line break.
    for (const [sent, kept] of [
      ['Résumé %22final%22.pdf', 'Résumé "final".pdf'],
      ['two%0D%0Alines.pdf', 'twolines.pdf'],
      ['50%25 off %2F %20.pdf', '50%25 off %2F %20.pdf'],
    ]) {
      const res = await send([...fields(), file(pdf(), sent)]).expect(201);
      expect(res.body.fileName).toBe(kept);
      const link = await t.http.get(`/download/${res.body.id}`).set(creator.auth).expect(200);
      expect(link.body.filename).toBe(kept);
    }
    // A new version goes through the same reading of the name.
    const product = await send([...fields(), file()]).expect(201);
    const { body, contentType } = multipart([file(pdf('v2'), 'v2 %22draft%22.pdf')]);
    const replaced = await t.http
      .put(`/creator/products/${product.body.id}/file`)
      .set(creator.auth)
      .set('Content-Type', contentType)
      .send(body)
      .expect(200);
    expect(replaced.body.fileName).toBe('v2 "draft".pdf');
  });

  it('cleans a NUL or newline sent percent-encoded (filename*), refuses raw ones in headers', async () => {
    for (const [raw, cleaned] of [
      ['nul\u0000byte.pdf', 'nulbyte.pdf'],
      ['new\r\nline.pdf', 'newline.pdf'],
    ]) {
      const res = await send([...fields(), { ...file(pdf(), raw), encoded: true }]).expect(201);
      expect(res.body.fileName).toBe(cleaned);
    }
    await refused(
      () => send([...fields(), file(pdf(), 'nul\u0000byte.pdf')]),
      400,
      'VALIDATION_FAILED',
    );
  });

  describe('who may upload', () => {
    it('401 without a token, 403 FORBIDDEN_ROLE for a buyer; nothing stored', async () => {
      await refused(
        () => send([...fields(), file()], {} as Account['auth']),
        401,
        'UNAUTHENTICATED',
      );
      await refused(() => send([...fields(), file()], buyer.auth), 403, 'FORBIDDEN_ROLE');
    });
  });

  describe('refusals leave no row and no file', () => {
    it('413 FILE_TOO_LARGE one byte over the limit', async () => {
      await refused(
        () => send([...fields(), file(Buffer.alloc(MAX + 1), 'big.zip')]),
        413,
        'FILE_TOO_LARGE',
      );
    });

    it('413 FILE_TOO_LARGE far over the limit, with the fields after the file', async () => {
      await refused(
        () => send([file(Buffer.alloc(MAX * 8), 'big.zip'), ...fields()]),
        413,
        'FILE_TOO_LARGE',
      );
    });

    it('400 FILE_REQUIRED for an empty file or none', async () => {
      await refused(() => send([...fields(), file(Buffer.alloc(0))]), 400, 'FILE_REQUIRED');
      await refused(() => send(fields()), 400, 'FILE_REQUIRED');
    });

    it.each([
      ['an empty title', { title: '' }, 'title'],
      ['a blank title', { title: '   ' }, 'title'],
      ['a title of 201 characters', { title: 'x'.repeat(201) }, 'title'],
      ['a description of 10,001 characters', { description: 'x'.repeat(10001) }, 'description'],
      ['priceCents "abc"', { priceCents: 'abc' }, 'priceCents'],
      ['priceCents "12.5"', { priceCents: '12.5' }, 'priceCents'],
      ['priceCents "49"', { priceCents: '49' }, 'priceCents'],
      ['priceCents "-1"', { priceCents: '-1' }, 'priceCents'],
      ['priceCents "100000000"', { priceCents: '100000000' }, 'priceCents'],
      ['priceCents ""', { priceCents: '' }, 'priceCents'],
      ['currency "USD"', { currency: 'USD' }, 'currency'],
    ])('400 VALIDATION_FAILED for %s, before or after the file', async (_label, bad, field) => {
      for (const parts of [
        [...fields(bad), file()],
        [file(), ...fields(bad)],
      ]) {
        const res = await refused(() => send(parts), 400, 'VALIDATION_FAILED');
        expect((res.body.fields as { field: string }[]).map((f) => f.field)).toContain(field);
      }
    });

    it('400 VALIDATION_FAILED when title or priceCents is missing', async () => {
      const res = await refused(
        () => send([{ name: 'priceCents', value: '100' }, file()]),
        400,
        'VALIDATION_FAILED',
      );
      expect(res.body.fields).toEqual([{ field: 'title', errors: expect.any(Array) }]);
      await refused(() => send([{ name: 'title', value: 'x' }, file()]), 400, 'VALIDATION_FAILED');
    });

    it('400 CURRENCY_NOT_ALLOWED for a currency outside ALLOWED_CURRENCIES', async () => {
      const res = await refused(
        () => send([...fields({ currency: 'chf' }), file()]),
        400,
        'CURRENCY_NOT_ALLOWED',
      );
      expect(res.body.fields).toEqual([
        { field: 'currency', errors: [expect.stringContaining('usd')] },
      ]);
      await refused(
        () => send([file(), ...fields({ currency: 'chf' })]),
        400,
        'CURRENCY_NOT_ALLOWED',
      );
    });

    it("400 on priceCents below the currency's smallest card payment, before or after the file", async () => {
      const res = await refused(
        () => send([...fields({ priceCents: '299', currency: 'sek' }), file()]),
        400,
        'VALIDATION_FAILED',
      );
      expect(res.body.fields).toEqual([
        { field: 'priceCents', errors: [expect.stringContaining('at least 300 in sek')] },
      ]);
      await refused(
        () => send([file(), ...fields({ priceCents: '299', currency: 'sek' })]),
        400,
        'VALIDATION_FAILED',
      );
      const ok = await send([...fields({ priceCents: '300', currency: 'sek' }), file()]).expect(
        201,
      );
      expect(ok.body).toMatchObject({ priceCents: 300, currency: 'sek' });
    });

    it('400 for unknown or repeated fields, a second file, or a file under another name', async () => {
      await refused(() => send([...fields({ role: 'admin' }), file()]), 400, 'VALIDATION_FAILED');
      await refused(
        () => send([file(), ...fields({ status: 'archived' })]),
        400,
        'VALIDATION_FAILED',
      );
      await refused(
        () => send([...fields(), { name: 'title', value: 'again' }, file()]),
        400,
        'VALIDATION_FAILED',
      );
      await refused(
        () => send([...fields(), file(), file(pdf('2'), 'two.pdf')]),
        400,
        'VALIDATION_FAILED',
      );
      await refused(
        () => send([...fields(), { name: 'document', filename: 'a.pdf', content: pdf() }]),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('415 UNSUPPORTED_FILE_TYPE for an extension outside the list, or none', async () => {
      await refused(
        () => send([...fields(), file(pdf(), 'setup.exe')]),
        415,
        'UNSUPPORTED_FILE_TYPE',
      );
      await refused(() => send([...fields(), file(pdf(), 'README')]), 415, 'UNSUPPORTED_FILE_TYPE');
      await refused(() => send([file(pdf(), 'run.sh'), ...fields()]), 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it('415 UNSUPPORTED_FILE_TYPE for a program dressed as a document', async () => {
      const elf = Buffer.concat([
        Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]),
        Buffer.alloc(100),
      ]);
      await refused(() => send([...fields(), file(elf, 'book.pdf')]), 415, 'UNSUPPORTED_FILE_TYPE');
    });

    it('415 UNSUPPORTED_MEDIA_TYPE for JSON; 400 for multipart without a boundary or cut short', async () => {
      await refused(
        () =>
          t.http.post('/creator/upload').set(creator.auth).send({ title: 'x', priceCents: 100 }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      await refused(
        () =>
          t.http
            .post('/creator/upload')
            .set(creator.auth)
            .set('Content-Type', 'multipart/form-data')
            .send(Buffer.from('hello')),
        400,
        'VALIDATION_FAILED',
      );
      const { body, contentType } = multipart([...fields(), file(Buffer.alloc(5000, 1), 'a.zip')]);
      await refused(
        () =>
          t.http
            .post('/creator/upload')
            .set(creator.auth)
            .set('Content-Type', contentType)
            .send(body.subarray(0, body.length - 3000)),
        400,
        'VALIDATION_FAILED',
      );
    });
  });

  describe('failures after the bytes arrived', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('removes the stored file when the database refuses the row', async () => {
      await t.dataSource.query(`
        CREATE FUNCTION refuse_product() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'refused by test'; END $$`);
      await t.dataSource.query(`
        CREATE TRIGGER refuse_product BEFORE INSERT ON products
        FOR EACH ROW WHEN (NEW.title = 'refuse me') EXECUTE FUNCTION refuse_product()`);
      try {
        await refused(() => send([...fields({ title: 'refuse me' }), file()]), 500, 'INTERNAL');
      } finally {
        await t.dataSource.query('DROP TRIGGER refuse_product ON products');
        await t.dataSource.query('DROP FUNCTION refuse_product()');
      }
    });

    it('writes no row when storage fails (503 STORAGE_ERROR)', async () => {
      const storage = t.app.get<StorageDriver>(STORAGE);
      jest.spyOn(storage, 'put').mockImplementationOnce(async ({ body }) => {
        body.resume();
        await new Promise((resolve) => body.on('end', resolve));
        throw new Error('disk on fire');
      });
      await refused(() => send([...fields(), file()]), 503, 'STORAGE_ERROR');
    });

    it('leaves nothing when the client goes away mid-upload', async () => {
      const rowsBefore = await countProducts(t);
      const filesBefore = storedFiles(t);
      const { body, contentType } = multipart([
        ...fields(),
        file(Buffer.alloc(MAX - 10, 3), 'a.zip'),
      ]);
      const url = new URL('/creator/upload', t.baseUrl);
      const req = httpRequest(url, {
        method: 'POST',
        headers: { ...creator.auth, 'Content-Type': contentType, 'Content-Length': body.length },
      });
      req.on('error', () => undefined);
      req.write(body.subarray(0, body.length / 2));
      // Wait until the server is writing the file, then hang up.
      await eventually(() => storedFiles(t).length > filesBefore.length);
      req.destroy();
      await eventually(() => storedFiles(t).length === filesBefore.length);
      expect(await countProducts(t)).toBe(rowsBefore);
    });
  });
});

describe('the upload budget: files per hour, bytes per hour, storage kept', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      UPLOADS_PER_HOUR: '6',
      UPLOAD_BYTES_PER_HOUR: '40000',
      STORAGE_QUOTA_BYTES: '10000',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const upload = (creator: Account, size: number) => {
    const { body, contentType } = multipart([
      { name: 'title', value: 'A book' },
      { name: 'priceCents', value: '1500' },
      { name: 'file', filename: 'book.pdf', content: pdf('x'.repeat(size - pdf('').length)) },
    ]);
    return t.http
      .post('/creator/upload')
      .set(creator.auth)
      .set('Content-Type', contentType)
      .send(body);
  };
  const replace = (creator: Account, id: string, size: number) => {
    const { body, contentType } = multipart([
      { name: 'file', filename: 'v2.pdf', content: pdf('y'.repeat(size - pdf('').length)) },
    ]);
    return t.http
      .put(`/creator/products/${id}/file`)
      .set(creator.auth)
      .set('Content-Type', contentType)
      .send(body);
  };
  async function refusedWith(
    res: Promise<{
      status: number;
      body: Record<string, unknown>;
      headers: Record<string, string>;
    }>,
    status: number,
    code: string,
  ) {
    const rows = await countProducts(t);
    const files = storedFiles(t);
    const answer = await res;
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
    expect(await countProducts(t)).toBe(rows);
    await eventually(() => storedFiles(t).length === files.length);
    expect(storedFiles(t)).toEqual(files);
    return answer;
  }

  it('413 STORAGE_QUOTA_EXCEEDED past STORAGE_QUOTA_BYTES, counting a replaced file once', async () => {
    const creator = await registerCreator(t.http);
    const first = await upload(creator, 6000).expect(201);
    await refusedWith(upload(creator, 6000), 413, 'STORAGE_QUOTA_EXCEEDED');
    // A new version replaces the old file: only the new size counts.
    await replace(creator, first.body.id, 9000).expect(200);
    await refusedWith(upload(creator, 2000), 413, 'STORAGE_QUOTA_EXCEEDED');
    await refusedWith(replace(creator, first.body.id, 10001), 413, 'STORAGE_QUOTA_EXCEEDED');
    // Another creator has a quota of their own.
    await upload(await registerCreator(t.http), 6000).expect(201);
  });

  it('holds the quota when two uploads run at once', async () => {
    const creator = await registerCreator(t.http);
    const answers = await Promise.all([upload(creator, 6000), upload(creator, 6000)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 413]);
    expect(answers.find((a) => a.status === 413)?.body.code).toBe('STORAGE_QUOTA_EXCEEDED');
    const rows = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM products WHERE creator_id = $1',
      [creator.id],
    );
    expect(rows[0].n).toBe(1);
    await eventually(() => storedFiles(t).filter((f) => f.startsWith(creator.id)).length === 1);
  });

  it('429 UPLOAD_BUDGET_EXCEEDED past UPLOAD_BYTES_PER_HOUR, refused files counted too', async () => {
    const creator = await registerCreator(t.http);
    const product = await upload(creator, 9000).expect(201);
    for (let i = 0; i < 3; i += 1) await replace(creator, product.body.id, 9000).expect(200);
    // 36,000 bytes spent: this one is cut after the 4,000 left.
    const cut = await refusedWith(
      replace(creator, product.body.id, 9000),
      429,
      'UPLOAD_BUDGET_EXCEEDED',
    );
    expect(Number(cut.headers['retry-after'])).toBeGreaterThan(0);
    // The budget is spent: refused before a byte is read.
    const next = await refusedWith(upload(creator, 1000), 429, 'UPLOAD_BUDGET_EXCEEDED');
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('429 RATE_LIMITED past UPLOADS_PER_HOUR, whatever the sizes', async () => {
    const creator = await registerCreator(t.http);
    const product = await upload(creator, 100).expect(201);
    for (let i = 0; i < 5; i += 1) await replace(creator, product.body.id, 100).expect(200);
    const res = await refusedWith(replace(creator, product.body.id, 100), 429, 'RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
