import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UploadsCleanupService } from '../src/uploads/uploads-cleanup.service.js';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import { freePort } from './helpers/ports.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import {
  droppedPatch,
  startUpload,
  tusHeaders,
  tusRequest,
  tusSend,
  type UploadSessionBody,
} from './helpers/tus.js';
import { countProducts, eventually, pdf, storedFiles } from './helpers/uploads.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** A PDF of `size` bytes: a real magic number, then noise. */
const pdfOf = (size: number) => Buffer.concat([pdf('x'), randomBytes(size)]).subarray(0, size);
/** An ELF program: what must never be sold, whatever its name says. */
const elfOf = (size: number) =>
  Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
    Buffer.alloc(8),
    Buffer.from([0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00]),
    randomBytes(size),
  ]).subarray(0, size);

describe('resumable uploads (local driver, tus)', () => {
  let t: TestApp;
  let creator: Account;
  let otherCreator: Account;
  let buyer: Account;

  beforeAll(async () => {
    // tus clients follow the absolute URLs the app builds from PUBLIC_URL: listen on its port.
    t = await createTestApp({ PORT: String(await freePort()), MAX_UPLOAD_BYTES: String(8 * MiB) });
    creator = await registerCreator(t.http);
    otherCreator = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  const uploadFiles = () => storedFiles(t).filter((f) => f.includes('/uploads/'));
  const status = (id: string, who = creator) => t.http.get(`/creator/uploads/${id}`).set(who.auth);
  const finish = (uploadId: string, who = creator, extra: object = {}) =>
    t.http
      .post('/creator/products')
      .set(who.auth)
      .send({ uploadId, title: 'Big course', priceCents: 0, ...extra });

  describe('POST /creator/uploads', () => {
    it('answers the tus endpoint, metadata and expiry, and chooses the key up front', async () => {
      const before = Date.now();
      const res = await t.http
        .post('/creator/uploads')
        .set(creator.auth)
        .send({ fileName: 'dir/Course part 1.pdf', size: 3 * MiB })
        .expect(201);
      const body = res.body as UploadSessionBody;
      expect(body).toEqual({
        id: expect.any(String),
        tusEndpoint: `${t.config.publicUrl}/uploads/${body.id}`,
        headers: {},
        metadata: { filename: 'Course part 1.pdf', filetype: 'application/pdf' },
        chunkSize: null,
        fileName: 'Course part 1.pdf',
        size: 3 * MiB,
        expiresAt: expect.any(String),
      });
      const ttl = Date.parse(body.expiresAt) - before;
      expect(ttl).toBeGreaterThanOrEqual(24 * 3600 * 1000 - 1000);
      expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000 + 60_000);
      const [row] = await t.dataSource.query<{ storage_key: string }[]>(
        'SELECT storage_key FROM upload_sessions WHERE id = $1',
        [body.id],
      );
      expect(row.storage_key).toBe(`${creator.id}/uploads/${body.id}`);
      expect(JSON.stringify(res.body)).not.toContain(row.storage_key);
    });

    it.each([
      [{ fileName: 'tool.exe', size: 10 }, 415, 'UNSUPPORTED_FILE_TYPE'],
      [{ fileName: 'noextension', size: 10 }, 415, 'UNSUPPORTED_FILE_TYPE'],
      [
        { fileName: 'a.pdf', size: 10, contentType: 'application/x-msdownload' },
        415,
        'UNSUPPORTED_FILE_TYPE',
      ],
      [{ fileName: 'a.pdf', size: 8 * MiB + 1 }, 413, 'FILE_TOO_LARGE'],
      [{ fileName: 'a.pdf', size: 0 }, 400, 'VALIDATION_FAILED'],
      [{ fileName: 'a.pdf', size: 1.5 }, 400, 'VALIDATION_FAILED'],
      [{ fileName: '', size: 10 }, 400, 'VALIDATION_FAILED'],
      [{ fileName: 'a.pdf', size: 10, contentType: 'not a type' }, 400, 'VALIDATION_FAILED'],
      [{ fileName: 'a.pdf', size: 10, extra: true }, 400, 'VALIDATION_FAILED'],
    ])('refuses %j with %i %s and records nothing', async (body, statusCode, code) => {
      const [{ n: before }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM upload_sessions',
      );
      const res = await t.http.post('/creator/uploads').set(creator.auth).send(body);
      expect(res.status).toBe(statusCode);
      expect(res.body).toMatchObject({ statusCode, code });
      const [{ n: after }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM upload_sessions',
      );
      expect(after).toBe(before);
    });

    it('is for creators only', async () => {
      await t.http.post('/creator/uploads').send({ fileName: 'a.pdf', size: 1 }).expect(401);
      const res = await t.http
        .post('/creator/uploads')
        .set(buyer.auth)
        .send({ fileName: 'a.pdf', size: 1 });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    });
  });

  describe('sending the bytes with tus-js-client', () => {
    it('uploads in several chunks, reports progress, and becomes a product', async () => {
      const data = pdfOf(3 * MiB + 123);
      const session = await startUpload(t, creator, { fileName: 'course.pdf', size: data.length });
      const pending = await status(session.id).expect(200);
      expect(pending.body).toMatchObject({
        status: 'pending',
        receivedBytes: 0,
        size: data.length,
      });

      const run = await tusSend(session, data, { headers: creator.auth, chunkSize: MiB });
      expect(run.chunks).toBe(4);
      expect(run.url).toBe(session.tusEndpoint);

      const done = await status(session.id).expect(200);
      expect(done.body).toEqual({
        id: session.id,
        status: 'complete',
        receivedBytes: data.length,
        size: data.length,
        fileName: 'course.pdf',
        expiresAt: session.expiresAt,
        productId: null,
      });

      const res = await finish(session.id).expect(201);
      expect(res.body).toMatchObject({
        title: 'Big course',
        fileName: 'course.pdf',
        size: data.length,
        contentType: 'application/pdf',
        sha256: sha256(data),
        version: 1,
        status: 'published',
      });
      const product = res.body as { id: string };
      expect((await status(session.id).expect(200)).body).toMatchObject({
        status: 'complete',
        productId: product.id,
      });
      // The product's file is the very object tus wrote: nothing was copied or moved.
      const [row] = await t.dataSource.query<{ file_key: string }[]>(
        'SELECT file_key FROM products WHERE id = $1',
        [product.id],
      );
      expect(row.file_key).toBe(`${creator.id}/uploads/${session.id}`);
      // tus forgets the upload once it is a product.
      expect(readdirSync(join(t.dataDir, 'uploads'))).not.toContain(`${session.id}.json`);
      const head = await tusRequest(session.tusEndpoint, 'HEAD', tusHeaders(creator));
      expect(head.status).toBe(410);

      // And a buyer downloads exactly those bytes.
      await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(201);
      const link = await t.http.get(`/download/${product.id}`).set(buyer.auth).expect(200);
      const file = await fetch((link.body as { url: string }).url);
      expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(sha256(data));
    });

    it('resumes after the connection dropped mid-upload', async () => {
      const data = pdfOf(2 * MiB);
      const session = await startUpload(t, creator, { fileName: 'resume.pdf', size: data.length });
      const created = await tusRequest(
        session.tusEndpoint,
        'POST',
        tusHeaders(creator, { 'Upload-Length': String(data.length) }),
      );
      expect(created.status).toBe(201);
      const url = String(created.headers.location);

      await droppedPatch(
        url,
        tusHeaders(creator, {
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
        }),
        data,
        768 * KiB,
        () =>
          eventually(async () => {
            const s = await status(session.id);
            return (s.body as { receivedBytes: number }).receivedBytes > 0;
          }),
      );

      // The server kept what arrived before the drop (once tus let go of the upload's lock).
      let offset = 0;
      await eventually(async () => {
        const head = await tusRequest(url, 'HEAD', tusHeaders(creator));
        offset = Number(head.headers['upload-offset']);
        return head.status === 200 && offset > 0;
      }, 10_000);
      expect(offset).toBeLessThan(data.length);
      expect(offset).toBeLessThanOrEqual(768 * KiB);

      const run = await tusSend(session, data, { headers: creator.auth, uploadUrl: url });
      expect(run.chunks).toBe(1);
      const res = await finish(session.id).expect(201);
      expect(res.body).toMatchObject({ size: data.length, sha256: sha256(data) });
    });
  });

  describe('tus edge cases, raw', () => {
    let session: UploadSessionBody;
    beforeAll(async () => {
      session = await startUpload(t, creator, { fileName: 'edge.pdf', size: 1000 });
    });

    it("refuses another creator's upload as if it did not exist (404), and a buyer (403)", async () => {
      for (const method of ['POST', 'HEAD', 'PATCH', 'DELETE'] as const) {
        const res = await tusRequest(
          session.tusEndpoint,
          method,
          tusHeaders(otherCreator, {
            'Upload-Length': '1000',
            'Upload-Offset': '0',
            'Content-Type': 'application/offset+octet-stream',
          }),
          method === 'PATCH' ? Buffer.alloc(10) : undefined,
        );
        expect({ method, status: res.status }).toEqual({ method, status: 404 });
        if (method !== 'HEAD') expect(JSON.parse(res.body)).toMatchObject({ code: 'NOT_FOUND' });
      }
      const asBuyer = await tusRequest(session.tusEndpoint, 'HEAD', tusHeaders(buyer));
      expect(asBuyer.status).toBe(403);
      const anonymous = await tusRequest(session.tusEndpoint, 'HEAD', { 'Tus-Resumable': '1.0.0' });
      expect(anonymous.status).toBe(401);
      await status(session.id, otherCreator).expect(404);
      const finished = await finish(session.id, otherCreator).expect(404);
      expect(finished.body).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses Upload-Length 0, a length other than declared, and no Tus-Resumable', async () => {
      const zero = await tusRequest(
        session.tusEndpoint,
        'POST',
        tusHeaders(creator, { 'Upload-Length': '0' }),
      );
      expect(zero.status).toBe(400);
      expect(JSON.parse(zero.body)).toMatchObject({ statusCode: 400, code: 'TUS_PROTOCOL_ERROR' });
      const smaller = await tusRequest(
        session.tusEndpoint,
        'POST',
        tusHeaders(creator, { 'Upload-Length': '999' }),
      );
      expect(smaller.status).toBe(400);
      const larger = await tusRequest(
        session.tusEndpoint,
        'POST',
        tusHeaders(creator, { 'Upload-Length': '1001' }),
      );
      expect(larger.status).toBe(413);
      expect(JSON.parse(larger.body)).toMatchObject({ code: 'FILE_TOO_LARGE' });
      const noVersion = await tusRequest(session.tusEndpoint, 'POST', {
        ...creator.auth,
        'Upload-Length': '1000',
      });
      expect(noVersion.status).toBe(412);
      expect(JSON.parse(noVersion.body)).toMatchObject({ code: 'TUS_PROTOCOL_ERROR' });
      expect(uploadFiles()).not.toContain(`${creator.id}/uploads/${session.id}`);
    });

    it('refuses a wrong offset (409), a second creation (409) and more bytes than declared', async () => {
      const created = await tusRequest(
        session.tusEndpoint,
        'POST',
        tusHeaders(creator, { 'Upload-Length': '1000' }),
      );
      expect(created.status).toBe(201);
      const patch = (offset: number, body: Buffer) =>
        tusRequest(
          session.tusEndpoint,
          'PATCH',
          tusHeaders(creator, {
            'Upload-Offset': String(offset),
            'Content-Type': 'application/offset+octet-stream',
          }),
          body,
        );
      const wrong = await patch(5, pdfOf(100));
      expect(wrong.status).toBe(409);
      expect(JSON.parse(wrong.body)).toMatchObject({ code: 'UPLOAD_OFFSET_MISMATCH' });

      const again = await tusRequest(
        session.tusEndpoint,
        'POST',
        tusHeaders(creator, { 'Upload-Length': '1000' }),
      );
      expect(again.status).toBe(409);
      expect(JSON.parse(again.body)).toMatchObject({ code: 'UPLOAD_EXISTS' });

      expect((await patch(0, pdfOf(400))).status).toBe(204);
      const tooMuch = await patch(400, randomBytes(700));
      expect(tooMuch.status).toBe(413);
      expect(JSON.parse(tooMuch.body)).toMatchObject({ code: 'FILE_TOO_LARGE' });
      const head = await tusRequest(session.tusEndpoint, 'HEAD', tusHeaders(creator));
      expect(head.headers['upload-offset']).toBe('400');
      expect(head.headers['upload-length']).toBe('1000');
    });

    it('refuses to finish an unfinished upload (409) and makes nothing', async () => {
      const products = await countProducts(t);
      const res = await finish(session.id).expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, code: 'UPLOAD_INCOMPLETE' });
      expect(await countProducts(t)).toBe(products);
      expect((await status(session.id)).body).toMatchObject({
        status: 'pending',
        receivedBytes: 400,
      });
    });
  });

  describe('finishing checks the bytes on the server', () => {
    it('refuses a program disguised as a PDF and leaves nothing in storage', async () => {
      const data = elfOf(64 * KiB);
      const session = await startUpload(t, creator, { fileName: 'ebook.pdf', size: data.length });
      await tusSend(session, data, { headers: creator.auth });
      expect(uploadFiles()).toContain(`${creator.id}/uploads/${session.id}`);
      const products = await countProducts(t);

      const res = await finish(session.id).expect(415);
      expect(res.body).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });
      expect(await countProducts(t)).toBe(products);
      expect(uploadFiles()).not.toContain(`${creator.id}/uploads/${session.id}`);
      expect(existsSync(join(t.dataDir, 'uploads', `${session.id}.json`))).toBe(false);
      expect((await status(session.id)).body).toMatchObject({
        status: 'refused',
        receivedBytes: 0,
      });
      // A refused upload stays refused.
      const again = await finish(session.id).expect(410);
      expect(again.body).toMatchObject({ code: 'UPLOAD_CLOSED' });
    });

    it('refuses a listing that is wrong before reading any byte, and a second use', async () => {
      const data = pdfOf(10 * KiB);
      const session = await startUpload(t, creator, { fileName: 'twice.pdf', size: data.length });
      await tusSend(session, data, { headers: creator.auth });
      const badPrice = await finish(session.id, creator, { priceCents: 10 }).expect(400);
      expect(badPrice.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      const badCurrency = await finish(session.id, creator, { currency: 'xyz' }).expect(400);
      expect(badCurrency.body).toMatchObject({ code: 'CURRENCY_NOT_ALLOWED' });
      await t.http
        .post('/creator/products')
        .set(creator.auth)
        .send({ uploadId: 'nope', title: 'x', priceCents: 0 })
        .expect(400);
      await finish(randomUUID()).expect(404);

      await finish(session.id).expect(201);
      const second = await finish(session.id).expect(409);
      expect(second.body).toMatchObject({ code: 'UPLOAD_ALREADY_USED' });
    });
  });

  describe('versions', () => {
    it('keeps every file, lists the versions, and tells the library about updates', async () => {
      const v1 = pdfOf(20 * KiB);
      const first = await startUpload(t, creator, { fileName: 'guide.pdf', size: v1.length });
      await tusSend(first, v1, { headers: creator.auth });
      const product = (await finish(first.id).expect(201)).body as { id: string };
      await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(201);

      const libraryItem = async () => {
        const res = await t.http.get('/mypurchases').set(buyer.auth).expect(200);
        return (res.body as { items: { product: { id: string } }[] }).items.find(
          (i) => i.product.id === product.id,
        ) as unknown as { version: number; updateAvailable: boolean; product: { version: number } };
      };
      // Never downloaded: nothing to update.
      expect(await libraryItem()).toMatchObject({ version: 1, updateAvailable: false });
      await t.http.get(`/download/${product.id}`).set(buyer.auth).expect(200);
      expect(await libraryItem()).toMatchObject({ version: 1, updateAvailable: false });

      const v2 = Buffer.from('PK\u0003\u0004 not really a zip but a zip header');
      const second = await startUpload(t, creator, { fileName: 'guide-v2.zip', size: v2.length });
      await tusSend(second, v2, { headers: creator.auth });
      const replaced = await t.http
        .put(`/creator/products/${product.id}/file`)
        .set(creator.auth)
        .send({ uploadId: second.id, note: 'Now a ZIP with the exercises', notifyBuyers: true })
        .expect(200);
      expect(replaced.body).toMatchObject({
        id: product.id,
        version: 2,
        fileName: 'guide-v2.zip',
        size: v2.length,
        contentType: 'application/zip',
      });
      expect(await libraryItem()).toMatchObject({
        version: 2,
        updateAvailable: true,
        product: { version: 2 },
      });
      // notifyBuyers: one email queued for the buyer, in the outbox, for this very version.
      const mails = await t.dataSource.query<{ recipient: string }[]>(
        'SELECT recipient FROM outbox WHERE cause_key LIKE $1',
        [`new-version:${product.id}:2:%`],
      );
      expect(mails.map((m) => m.recipient)).toEqual([buyer.email]);

      const versions = await t.http
        .get(`/creator/products/${product.id}/versions`)
        .set(creator.auth)
        .expect(200);
      expect(versions.body).toEqual({
        items: [
          {
            version: 2,
            fileName: 'guide-v2.zip',
            size: v2.length,
            contentType: 'application/zip',
            sha256: sha256(v2),
            note: 'Now a ZIP with the exercises',
            createdAt: expect.any(String),
          },
          {
            version: 1,
            fileName: 'guide.pdf',
            size: v1.length,
            contentType: 'application/pdf',
            sha256: sha256(v1),
            note: null,
            createdAt: expect.any(String),
          },
        ],
      });
      // Both files are still stored.
      expect(uploadFiles()).toEqual(
        expect.arrayContaining([
          `${creator.id}/uploads/${first.id}`,
          `${creator.id}/uploads/${second.id}`,
        ]),
      );

      // A multipart replacement is a version too, and keeps the older ones.
      await t.http
        .put(`/creator/products/${product.id}/file`)
        .set(creator.auth)
        .attach('file', pdf('v3'), 'guide-v3.pdf')
        .expect(200);
      const three = await t.http
        .get(`/creator/products/${product.id}/versions`)
        .set(creator.auth)
        .expect(200);
      expect((three.body as { items: { version: number }[] }).items.map((v) => v.version)).toEqual([
        3, 2, 1,
      ]);
      expect(uploadFiles()).toContain(`${creator.id}/uploads/${second.id}`);

      // Downloading the latest clears the badge.
      await t.http.get(`/download/${product.id}`).set(buyer.auth).expect(200);
      expect(await libraryItem()).toMatchObject({ version: 3, updateAvailable: false });

      await t.http
        .get(`/creator/products/${product.id}/versions`)
        .set(otherCreator.auth)
        .expect(404);
      const bad = await t.http
        .put(`/creator/products/${product.id}/file`)
        .set(creator.auth)
        .send({ uploadId: second.id, notifyBuyers: 'yes' })
        .expect(400);
      expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      const used = await t.http
        .put(`/creator/products/${product.id}/file`)
        .set(creator.auth)
        .send({ uploadId: second.id })
        .expect(409);
      expect(used.body).toMatchObject({ code: 'UPLOAD_ALREADY_USED' });
    });
  });

  describe('clean-up', () => {
    it('deletes unfinished and unused uploads past their time, with their bytes', async () => {
      const cleanup = t.app.get(UploadsCleanupService);
      const half = await startUpload(t, creator, { fileName: 'half.pdf', size: 2000 });
      await tusRequest(half.tusEndpoint, 'POST', tusHeaders(creator, { 'Upload-Length': '2000' }));
      await tusRequest(
        half.tusEndpoint,
        'PATCH',
        tusHeaders(creator, {
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
        }),
        pdfOf(1000),
      );
      const unused = await startUpload(t, creator, { fileName: 'unused.pdf', size: 500 });
      await tusSend(unused, pdfOf(500), { headers: creator.auth });
      const used = await startUpload(t, creator, { fileName: 'used.pdf', size: 500 });
      await tusSend(used, pdfOf(500), { headers: creator.auth });
      await finish(used.id).expect(201);

      // Nothing is due yet.
      await cleanup.runOnce();
      expect(uploadFiles()).toEqual(
        expect.arrayContaining([
          `${creator.id}/uploads/${half.id}`,
          `${creator.id}/uploads/${unused.id}`,
        ]),
      );

      const removed = await cleanup.runOnce(new Date(Date.now() + 25 * 3600 * 1000));
      expect(removed).toBeGreaterThanOrEqual(2);
      const left = uploadFiles();
      expect(left).not.toContain(`${creator.id}/uploads/${half.id}`);
      expect(left).not.toContain(`${creator.id}/uploads/${unused.id}`);
      expect(left).toContain(`${creator.id}/uploads/${used.id}`);
      expect(readdirSync(join(t.dataDir, 'uploads'))).not.toContain(`${half.id}.json`);
      for (const id of [half.id, unused.id]) {
        expect((await status(id)).body).toMatchObject({ status: 'expired', receivedBytes: 0 });
      }
      const head = await tusRequest(half.tusEndpoint, 'HEAD', tusHeaders(creator));
      expect(head.status).toBe(410);
      const late = await finish(unused.id).expect(410);
      expect(late.body).toMatchObject({ code: 'UPLOAD_CLOSED' });
      // A second pass finds nothing more.
      expect(await cleanup.runOnce(new Date(Date.now() + 25 * 3600 * 1000))).toBe(0);
    });
  });
});

describe('resumable uploads count against the upload budget and the storage quota', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      UPLOADS_PER_HOUR: '4',
      UPLOAD_BYTES_PER_HOUR: '30000',
      STORAGE_QUOTA_BYTES: '20000',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const start = (creator: Account, size: number) =>
    t.http.post('/creator/uploads').set(creator.auth).send({ fileName: 'a.pdf', size });

  it('reserves the declared size of open uploads against the quota', async () => {
    const creator = await registerCreator(t.http);
    await start(creator, 15000).expect(201);
    const over = await start(creator, 5001).expect(413);
    expect(over.body).toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED' });
    await start(creator, 5000).expect(201);
    // Another creator has a quota of their own.
    await start(await registerCreator(t.http), 15000).expect(201);
  });

  it('spends the declared bytes from the hour, and counts each upload started', async () => {
    const creator = await registerCreator(t.http);
    await start(creator, 1000).expect(201);
    // Past the quota is refused too, but the hour's budget speaks first when it is spent.
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM upload_sessions WHERE creator_id = $1',
      [creator.id],
    );
    expect(n).toBe(1);
    const budget = await start(creator, 29_001).expect(429);
    expect(budget.body).toMatchObject({ code: 'UPLOAD_BUDGET_EXCEEDED' });
    expect(Number(budget.headers['retry-after'])).toBeGreaterThan(0);
    await start(creator, 100).expect(201);
    await start(creator, 100).expect(201);
    const many = await start(creator, 100).expect(429);
    expect(many.body).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
