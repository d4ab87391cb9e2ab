import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UploadsCleanupService } from '../src/uploads/uploads-cleanup.service.js';
import { FakeSupabaseStorage } from './helpers/fake-supabase-storage.js';
import {
  type Account,
  createProduct,
  registerBuyer,
  registerCreator,
} from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { startUpload, tusRequest, tusSend } from './helpers/tus.js';
import { countProducts, pdf } from './helpers/uploads.js';

const MiB = 1024 * 1024;
const pdfOf = (size: number) => Buffer.concat([pdf('x'), randomBytes(size)]).subarray(0, size);

describe('resumable uploads with the Supabase driver (against the stand-in storage server)', () => {
  let fake: FakeSupabaseStorage;
  let t: TestApp;
  let creator: Account;
  let buyer: Account;
  const objects = () => [...(fake.buckets.get('products')?.objects.keys() ?? [])];

  beforeAll(async () => {
    fake = await FakeSupabaseStorage.start({ products: {} });
    t = await createTestApp({
      STORAGE_DRIVER: 'supabase',
      SUPABASE_URL: fake.url,
      SUPABASE_SERVICE_ROLE_KEY: fake.serviceRoleKey,
      MAX_UPLOAD_BYTES: String(64 * MiB),
    });
    creator = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const finish = (uploadId: string) =>
    t.http
      .post('/creator/products')
      .set(creator.auth)
      .send({ uploadId, title: 'Sample pack', priceCents: 0 });

  it('sets the bucket size limit and types at boot, as defence in depth', () => {
    const bucket = fake.buckets.get('products')!;
    expect(bucket.public).toBe(false);
    expect(bucket.fileSizeLimit).toBe(64 * MiB);
    expect(bucket.allowedMimeTypes).toEqual(expect.arrayContaining(['application/pdf', 'video/*']));
    expect(bucket.allowedMimeTypes).not.toContain('application/x-msdownload');
  });

  it('sends the bytes straight to Supabase with a signed upload token, in 6 MiB chunks', async () => {
    const data = pdfOf(13 * MiB + 5);
    const session = await startUpload(t, creator, { fileName: 'pack.pdf', size: data.length });
    expect(session.tusEndpoint).toBe(`${fake.url}/storage/v1/upload/resumable/sign`);
    expect(session.chunkSize).toBe(6 * MiB);
    expect(session.metadata).toEqual({
      bucketName: 'products',
      objectName: `${creator.id}/uploads/${session.id}`,
      contentType: 'application/pdf',
      cacheControl: '3600',
    });
    expect(Object.keys(session.headers)).toEqual(['x-signature']);
    // The client gets a token for this one object, never the service-role key.
    expect(Object.values(session.headers)).not.toContain(fake.serviceRoleKey);
    expect(JSON.stringify(session)).not.toMatch(/authorization|apikey|service/i);
    const requestsBefore = fake.requests.length;

    const pending = await t.http
      .get(`/creator/uploads/${session.id}`)
      .set(creator.auth)
      .expect(200);
    expect(pending.body).toMatchObject({ status: 'pending', receivedBytes: 0 });

    const run = await tusSend(session, data);
    expect(run.chunks).toBe(3);
    const upload = [...fake.tusUploads.values()].find(
      (u) => u.objectName === session.metadata.objectName,
    )!;
    expect(upload.patchSizes).toEqual([6 * MiB, 6 * MiB, MiB + 5]);
    // Every tus request carried the token; none carried a bearer token of any kind.
    const tus = fake.requests.slice(requestsBefore).filter((r) => r.path.includes('/upload/'));
    expect(tus.length).toBeGreaterThanOrEqual(4);
    for (const r of tus) {
      expect(r.headers['x-signature']).toBe(session.headers['x-signature']);
      expect(r.headers.authorization).toBeUndefined();
    }

    const done = await t.http.get(`/creator/uploads/${session.id}`).set(creator.auth).expect(200);
    expect(done.body).toMatchObject({ status: 'complete', receivedBytes: data.length });
    const res = await finish(session.id).expect(201);
    expect(res.body).toMatchObject({
      fileName: 'pack.pdf',
      size: data.length,
      contentType: 'application/pdf',
      sha256: null,
      version: 1,
    });
    const product = res.body as { id: string };
    await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(201);
    const link = await t.http.get(`/download/${product.id}`).set(buyer.auth).expect(200);
    const file = await fetch((link.body as { url: string }).url);
    expect(Buffer.from(await file.arrayBuffer()).equals(data)).toBe(true);
  });

  it('refuses to finish before Supabase has the whole object', async () => {
    const session = await startUpload(t, creator, { fileName: 'half.pdf', size: 2000 });
    const created = await tusRequest(session.tusEndpoint, 'POST', {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': '2000',
      'Upload-Metadata': Object.entries(session.metadata)
        .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
        .join(','),
      ...session.headers,
    });
    expect(created.status).toBe(201);
    const patched = await tusRequest(
      String(created.headers.location),
      'PATCH',
      {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        ...session.headers,
      },
      pdfOf(1000),
    );
    expect(patched.status).toBe(204);
    const res = await finish(session.id).expect(409);
    expect(res.body).toMatchObject({ code: 'UPLOAD_INCOMPLETE' });
  });

  it('refuses a program disguised as a PDF and deletes it from the bucket', async () => {
    const elf = Buffer.concat([
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
      Buffer.alloc(8),
      Buffer.from([0x02, 0x00, 0x3e, 0x00, 0x01, 0x00, 0x00, 0x00]),
      randomBytes(40_000),
    ]);
    const session = await startUpload(t, creator, { fileName: 'ebook.pdf', size: elf.length });
    await tusSend(session, elf);
    expect(objects()).toContain(session.metadata.objectName);
    const products = await countProducts(t);
    const res = await finish(session.id).expect(415);
    expect(res.body).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });
    expect(objects()).not.toContain(session.metadata.objectName);
    expect(await countProducts(t)).toBe(products);
  });

  it('deletes a finished upload nobody used once it expires', async () => {
    const session = await startUpload(t, creator, { fileName: 'unused.pdf', size: 3000 });
    await tusSend(session, pdfOf(3000));
    expect(objects()).toContain(session.metadata.objectName);
    const removed = await t.app
      .get(UploadsCleanupService)
      .runOnce(new Date(Date.now() + 25 * 3600 * 1000));
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(objects()).not.toContain(session.metadata.objectName);
    const res = await t.http.get(`/creator/uploads/${session.id}`).set(creator.auth).expect(200);
    expect(res.body).toMatchObject({ status: 'expired', receivedBytes: 0 });
  });

  it('has no tus server of its own: /uploads/:id answers 404', async () => {
    const session = await startUpload(t, creator, { fileName: 'x.pdf', size: 10 });
    const res = await t.http
      .head(`/uploads/${session.id}`)
      .set({ ...creator.auth, 'Tus-Resumable': '1.0.0' });
    expect(res.status).toBe(404);
  });

  it('answers 502 STORAGE_ERROR on every route that reaches a failing storage, and keeps nothing', async () => {
    const product = await createProduct(t.http, creator, { priceCents: 0 });
    await t.http.post(`/purchase/${product.id}`).set(buyer.auth).send({}).expect(201);
    const done = await startUpload(t, creator, { fileName: 'done.pdf', size: 3000 });
    await tusSend(done, pdfOf(3000));
    const open = await startUpload(t, creator, { fileName: 'open.pdf', size: 3000 });
    const products = await countProducts(t);
    fake.failing = true;
    try {
      const answers = {
        'POST /creator/upload': await t.http
          .post('/creator/upload')
          .set(creator.auth)
          .field('title', 'During an outage')
          .field('priceCents', '500')
          .attach('file', pdf('outage'), 'outage.pdf'),
        'PUT /creator/products/{id}/file': await t.http
          .put(`/creator/products/${product.id}/file`)
          .set(creator.auth)
          .attach('file', pdf('new version'), 'book.pdf'),
        'POST /creator/products': await finish(done.id),
        'POST /creator/uploads': await t.http
          .post('/creator/uploads')
          .set(creator.auth)
          .send({ fileName: 'more.pdf', size: 3000 }),
        'GET /creator/uploads/{id}': await t.http
          .get(`/creator/uploads/${open.id}`)
          .set(creator.auth),
        'GET /download/{productId}': await t.http.get(`/download/${product.id}`).set(buyer.auth),
      };
      expect(
        Object.fromEntries(
          Object.entries(answers).map(([route, res]) => [route, [res.status, res.body.code]]),
        ),
      ).toEqual(
        Object.fromEntries(Object.keys(answers).map((route) => [route, [502, 'STORAGE_ERROR']])),
      );
      expect(await countProducts(t)).toBe(products);
    } finally {
      fake.failing = false;
    }
  });
});
