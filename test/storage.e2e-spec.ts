import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainException } from '../src/common/domain.exception.js';
import { ObjectExistsException, ObjectTooLargeException } from '../src/storage/storage.errors.js';
import { STORAGE, type StorageDriver } from '../src/storage/storage.interface.js';
import { FakeSupabaseStorage } from './helpers/fake-supabase-storage.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const newKey = () => `creator-${randomUUID()}/product-${randomUUID()}/${randomUUID()}`;

/** A body that sends some bytes (none for 0), then fails, like an upload cut off midway. */
function failingStream(bytesBefore: number): Readable {
  let sent = bytesBefore === 0;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(randomBytes(bytesBefore));
      } else {
        this.destroy(new Error('client went away'));
      }
    },
  });
}

/** Every file under a directory, recursively (the .tmp directory included). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('storage: local driver and /files links', () => {
  let t: TestApp;
  let storage: StorageDriver;
  const content = randomBytes(300_000);
  const key = newKey();
  let path: string;

  const linkPath = async (
    params: Partial<{ key: string; filename: string; contentType: string; ttl: number }> = {},
  ) => {
    const link = await storage.signedDownloadUrl({
      key: params.key ?? key,
      filename: params.filename ?? 'Café "crème" & co.pdf',
      contentType: params.contentType ?? 'application/pdf',
      expiresInSeconds: params.ttl ?? 60,
    });
    return { path: new URL(link.url).pathname, link };
  };
  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${t.baseUrl}${p}`, { headers, method });

  beforeAll(async () => {
    t = await createTestApp();
    storage = t.app.get(STORAGE);
    await storage.put({ key, body: Readable.from([content]), contentType: 'application/pdf' });
    path = (await linkPath()).path;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('driver', () => {
    it('is the local driver by default, writing under DATA_DIR/storage', async () => {
      expect(storage.name).toBe('local');
      expect(existsSync(join(t.dataDir, 'storage', key))).toBe(true);
      expect(await storage.stat(key)).toEqual({ size: content.length });
      expect(await storage.stat(newKey())).toBeNull();
    });

    it('signs links under PUBLIC_URL that expire after the asked lifetime', async () => {
      const before = Date.now();
      const { link } = await linkPath({ ttl: 60 });
      expect(link.url.startsWith(`${t.config.publicUrl}/files/`)).toBe(true);
      expect(link.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
      expect(link.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 61_000);
    });

    it('never overwrites an existing key', async () => {
      await expect(
        storage.put({
          key,
          body: Readable.from([Buffer.from('other')]),
          contentType: 'text/plain',
        }),
      ).rejects.toBeInstanceOf(ObjectExistsException);
      expect(await storage.stat(key)).toEqual({ size: content.length });
      expect(filesUnder(join(t.dataDir, 'storage', '.tmp'))).toEqual([]);
    });

    it('leaves nothing behind when the body fails midway, and rejects with its error', async () => {
      const failedKey = newKey();
      const before = filesUnder(join(t.dataDir, 'storage'));
      await expect(
        storage.put({ key: failedKey, body: failingStream(200_000), contentType: 'text/plain' }),
      ).rejects.toThrow('client went away');
      expect(await storage.stat(failedKey)).toBeNull();
      expect(filesUnder(join(t.dataDir, 'storage'))).toEqual(before);
    });

    it('leaves no temp file when the body fails before the file is even open', async () => {
      // pipeline() rejects before the destroyed file stream has closed; a put that unlinked its
      // temp file right then raced the still-pending open(), which could create it afterwards.
      const before = filesUnder(join(t.dataDir, 'storage'));
      const puts = Array.from({ length: 300 }, () =>
        storage.put({ key: newKey(), body: failingStream(0), contentType: 'text/plain' }),
      );
      const results = await Promise.allSettled(puts);
      expect(results.every((result) => result.status === 'rejected')).toBe(true);
      // Anything a late open() created would be there by now.
      await sleep(200);
      expect(filesUnder(join(t.dataDir, 'storage'))).toEqual(before);
    });

    it.each(['../x', '/etc/passwd', 'a/../../x', 'a//b', 'a/', '.tmp/x', 'a/b.c', 'é', '', 'a\0b'])(
      'refuses the key %j',
      async (bad) => {
        const body = Readable.from([Buffer.from('x')]);
        await expect(storage.put({ key: bad, body, contentType: 'text/plain' })).rejects.toThrow(
          'Invalid storage key',
        );
        await expect(storage.stat(bad)).rejects.toThrow('Invalid storage key');
        await expect(storage.delete(bad)).rejects.toThrow('Invalid storage key');
        await expect(
          storage.signedDownloadUrl({
            key: bad,
            filename: 'x',
            contentType: 'text/plain',
            expiresInSeconds: 60,
          }),
        ).rejects.toThrow('Invalid storage key');
      },
    );

    it('deletes, and deleting a missing object is fine', async () => {
      const doomed = newKey();
      await storage.put({
        key: doomed,
        body: Readable.from([Buffer.from('x')]),
        contentType: 'a/b',
      });
      await storage.delete(doomed);
      expect(await storage.stat(doomed)).toBeNull();
      await expect(storage.delete(doomed)).resolves.toBeUndefined();
    });

    it('stores an empty object', async () => {
      const empty = newKey();
      await storage.put({ key: empty, body: Readable.from([]), contentType: 'text/plain' });
      expect(await storage.stat(empty)).toEqual({ size: 0 });
      const res = await get((await linkPath({ key: empty })).path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe('0');
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    });
  });

  describe('GET /files/:token', () => {
    it('streams the exact bytes with the download headers', async () => {
      const res = await get(path);
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(sha256(body)).toBe(sha256(content));
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-length')).toBe(String(content.length));
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(new Date(res.headers.get('last-modified')!).getTime()).not.toBeNaN();
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="Cafe _creme_ & co.pdf"; filename*=UTF-8''Caf%C3%A9%20%22cr%C3%A8me%22%20%26%20co.pdf`,
      );
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await get(path, {}, 'HEAD');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(content.length));
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    });

    it('keeps hostile file names inside the header', async () => {
      const { path: p } = await linkPath({ filename: 'a\r\nSet-Cookie: x=1;\u0000 "b".txt' });
      const res = await get(p);
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="aSet-Cookie: x=1; _b_.txt"; filename*=UTF-8''aSet-Cookie%3A%20x%3D1%3B%20%22b%22.txt`,
      );
      await res.arrayBuffer();
    });

    it('sends a generic type when the signed one is not a plain media type', async () => {
      const { path: p } = await linkPath({ contentType: 'text/html\r\nX-Evil: 1' });
      const res = await get(p);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('x-evil')).toBeNull();
      await res.arrayBuffer();
    });

    describe('ranges', () => {
      const expectPart = async (range: string, start: number, end: number) => {
        const res = await get(path, { Range: range });
        expect(res.status).toBe(206);
        expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${content.length}`);
        expect(res.headers.get('content-length')).toBe(String(end - start + 1));
        expect(Buffer.from(await res.arrayBuffer()).equals(content.subarray(start, end + 1))).toBe(
          true,
        );
      };

      it('serves a single range', () => expectPart('bytes=0-99', 0, 99));
      it('serves a suffix range', () =>
        expectPart('bytes=-100', content.length - 100, content.length - 1));
      it('serves an open range', () => expectPart('bytes=100-', 100, content.length - 1));
      it('clamps a range past the end', () =>
        expectPart(`bytes=299990-400000`, 299990, content.length - 1));

      it('resumes a partial download to the same sha256', async () => {
        const first = Buffer.from(
          await (await get(path, { Range: 'bytes=0-123455' })).arrayBuffer(),
        );
        const full = await get(path);
        const etag = full.headers.get('etag')!;
        await full.arrayBuffer();
        const rest = await get(path, { Range: `bytes=${first.length}-`, 'If-Range': etag });
        expect(rest.status).toBe(206);
        const joined = Buffer.concat([first, Buffer.from(await rest.arrayBuffer())]);
        expect(sha256(joined)).toBe(sha256(content));
      });

      it('answers 416 with Content-Range */size for an unsatisfiable range', async () => {
        const res = await get(path, { Range: `bytes=${content.length}-` });
        expect(res.status).toBe(416);
        expect(res.headers.get('content-range')).toBe(`bytes */${content.length}`);
        expect(await res.json()).toEqual({
          statusCode: 416,
          code: 'RANGE_NOT_SATISFIABLE',
          message: expect.any(String),
        });
      });

      it('sends the whole file for a stale If-Range', async () => {
        for (const ifRange of ['"stale"', 'Wed, 21 Oct 2015 07:28:00 GMT', 'W/"weak"']) {
          const res = await get(path, { Range: 'bytes=0-9', 'If-Range': ifRange });
          expect(res.status).toBe(200);
          expect(Buffer.from(await res.arrayBuffer()).length).toBe(content.length);
        }
      });

      it('honours If-Range with the Last-Modified date', async () => {
        const head = await get(path, {}, 'HEAD');
        const res = await get(path, {
          Range: 'bytes=0-9',
          'If-Range': head.headers.get('last-modified')!,
        });
        expect(res.status).toBe(206);
        await res.arrayBuffer();
      });

      it('sends the whole file for malformed, multiple or other-unit ranges', async () => {
        for (const range of ['bytes=abc', 'bytes=0-9,20-29', 'items=0-1']) {
          const res = await get(path, { Range: range });
          expect({ range, status: res.status }).toEqual({ range, status: 200 });
          expect(Buffer.from(await res.arrayBuffer()).length).toBe(content.length);
        }
      });
    });

    it('answers 403 LINK_INVALID for a token altered in a byte, anywhere', async () => {
      const token = path.split('/').pop()!;
      const positions = [0, 5, token.indexOf('.') - 1, token.indexOf('.'), token.length - 1];
      for (const i of positions) {
        const c = token[i] === 'A' ? 'B' : 'A';
        const res = await get(`/files/${token.slice(0, i)}${c}${token.slice(i + 1)}`);
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({
          statusCode: 403,
          code: 'LINK_INVALID',
          message: 'This download link is not valid',
        });
      }
      for (const bad of ['x', 'a.b', `${token}x`, encodeURIComponent('ä.ö')]) {
        expect((await get(`/files/${bad}`)).status).toBe(403);
      }
    });

    it('answers 410 LINK_EXPIRED once the lifetime has passed', async () => {
      const { path: p, link } = await linkPath({ ttl: 1 });
      await sleep(Math.max(0, link.expiresAt.getTime() - Date.now()) + 50);
      const res = await get(p);
      expect(res.status).toBe(410);
      expect(await res.json()).toEqual({
        statusCode: 410,
        code: 'LINK_EXPIRED',
        message: 'This download link has expired',
      });
    });

    it('answers 404 NOT_FOUND when the object behind a valid link is gone', async () => {
      const { path: p } = await linkPath({ key: newKey() });
      const res = await get(p);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });

    it('closes the file when the client aborts the download', async () => {
      const bigKey = newKey();
      await storage.put({
        key: bigKey,
        body: Readable.from([randomBytes(16 * 1024 * 1024)]),
        contentType: 'application/zip',
      });
      const file = join(t.dataDir, 'storage', bigKey);
      const openHandles = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === file;
          } catch {
            return false;
          }
        }).length;
      const controller = new AbortController();
      const res = await fetch(`${t.baseUrl}${(await linkPath({ key: bigKey })).path}`, {
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      if (existsSync('/proc/self/fd')) expect(openHandles()).toBe(1);
      controller.abort();
      // Closing happens when the socket close reaches the server; wait for it, bounded.
      for (let i = 0; i < 100 && existsSync('/proc/self/fd') && openHandles() > 0; i += 1) {
        await sleep(50);
      }
      if (existsSync('/proc/self/fd')) expect(openHandles()).toBe(0);
      expect((await get(path, {}, 'HEAD')).status).toBe(200);
    });
  });

  describe('GET /health/ready', () => {
    it('reports storage up', async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(200);
      expect(res.body.checks.storage).toEqual({ status: 'up' });
    });
  });
});

describe('storage: supabase driver against the stand-in storage server', () => {
  let fake: FakeSupabaseStorage;
  let t: TestApp;
  let storage: StorageDriver;
  const content = randomBytes(200_000);
  const key = newKey();
  const filename = 'Café "crème" & co; 🎵.pdf';

  beforeAll(async () => {
    fake = await FakeSupabaseStorage.start({ products: {} });
    t = await createTestApp({
      STORAGE_DRIVER: 'supabase',
      SUPABASE_URL: fake.url,
      SUPABASE_SERVICE_ROLE_KEY: fake.serviceRoleKey,
    });
    storage = t.app.get(STORAGE);
    await storage.put({ key, body: Readable.from([content]), contentType: 'application/pdf' });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('uploads streamed, with the content type and without upsert', () => {
    expect(storage.name).toBe('supabase');
    const upload = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith(key))!;
    expect(upload.path).toBe(`/storage/v1/object/products/${key}`);
    expect(upload.headers['x-upsert']).toBe('false');
    expect(upload.headers['content-type']).toBe('application/pdf');
    // storage-js prefixes `max-age=` to its cacheControl option: it must be a bare number.
    expect(upload.headers['cache-control']).toBe('max-age=0');
    expect(upload.headers['transfer-encoding']).toBe('chunked');
    expect(fake.object('products', key)!.bytes.equals(content)).toBe(true);
    expect(existsSync(join(t.dataDir, 'storage', key))).toBe(false);
  });

  it('stats objects, null when missing', async () => {
    expect(await storage.stat(key)).toEqual({ size: content.length });
    expect(await storage.stat(newKey())).toBeNull();
  });

  it('signs a URL that downloads the bytes under the original name', async () => {
    const before = Date.now();
    const link = await storage.signedDownloadUrl({
      key,
      filename,
      contentType: 'application/pdf',
      expiresInSeconds: 60,
    });
    expect(link.url.startsWith(`${fake.url}/storage/v1/object/sign/products/${key}?token=`)).toBe(
      true,
    );
    expect(link.expiresAt.getTime()).toBeGreaterThan(before + 58_000);
    expect(link.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(content));
    const disposition = res.headers.get('content-disposition')!;
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)![1];
    expect(decodeURIComponent(encoded)).toBe(filename);
  });

  it('keeps CR/LF in a name out of the signed URL and the header', async () => {
    const link = await storage.signedDownloadUrl({
      key,
      filename: 'a\r\nSet-Cookie: x=1.pdf',
      contentType: 'application/pdf',
      expiresInSeconds: 60,
    });
    const res = await fetch(link.url);
    expect(res.headers.get('set-cookie')).toBeNull();
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition')!)![1];
    expect(decodeURIComponent(encoded)).toBe('aSet-Cookie: x=1.pdf');
    await res.arrayBuffer();
  });

  it('resumes with a Range request on the signed URL', async () => {
    const { url } = await storage.signedDownloadUrl({
      key,
      filename,
      contentType: 'application/pdf',
      expiresInSeconds: 60,
    });
    const first = Buffer.from(
      await (await fetch(url, { headers: { Range: 'bytes=0-999' } })).arrayBuffer(),
    );
    const rest = await fetch(url, { headers: { Range: 'bytes=1000-' } });
    expect(rest.status).toBe(206);
    const joined = Buffer.concat([first, Buffer.from(await rest.arrayBuffer())]);
    expect(sha256(joined)).toBe(sha256(content));
  });

  it('has signed URLs the storage refuses once expired (400 InvalidJWT)', async () => {
    const link = await storage.signedDownloadUrl({
      key,
      filename,
      contentType: 'application/pdf',
      expiresInSeconds: 1,
    });
    await sleep(Math.max(0, link.expiresAt.getTime() - Date.now()) + 1100);
    const res = await fetch(link.url);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: '400', code: 'InvalidJWT' });
  });

  it('refuses a duplicate key (statusCode "409") and keeps the original', async () => {
    const attempt = storage.put({
      key,
      body: Readable.from([Buffer.from('other')]),
      contentType: 'text/plain',
    });
    await expect(attempt).rejects.toBeInstanceOf(ObjectExistsException);
    expect(fake.object('products', key)!.bytes.equals(content)).toBe(true);
  });

  it('maps statusCode "413" to FILE_TOO_LARGE', async () => {
    fake.buckets.get('products')!.fileSizeLimit = 1000;
    try {
      const bigKey = newKey();
      const attempt = storage.put({
        key: bigKey,
        body: Readable.from([randomBytes(5000)]),
        contentType: 'application/zip',
      });
      await expect(attempt).rejects.toBeInstanceOf(ObjectTooLargeException);
      expect(fake.object('products', bigKey)).toBeUndefined();
    } finally {
      delete fake.buckets.get('products')!.fileSizeLimit;
    }
  });

  it('stores nothing when the body fails midway, and rejects with its error', async () => {
    const failedKey = newKey();
    await expect(
      storage.put({ key: failedKey, body: failingStream(100_000), contentType: 'text/plain' }),
    ).rejects.toThrow('client went away');
    // The fake records an upload only once its request completed.
    await sleep(100);
    expect(fake.object('products', failedKey)).toBeUndefined();
  });

  it('refuses keys outside the allowed shape before calling the storage', async () => {
    const count = fake.requests.length;
    await expect(
      storage.put({ key: '../x', body: Readable.from([Buffer.from('x')]), contentType: 'a/b' }),
    ).rejects.toThrow('Invalid storage key');
    await expect(storage.stat('é/x')).rejects.toThrow('Invalid storage key');
    expect(fake.requests.length).toBe(count);
  });

  it('deletes, and deleting a missing object is fine', async () => {
    const doomed = newKey();
    await storage.put({ key: doomed, body: Readable.from([Buffer.from('x')]), contentType: 'a/b' });
    await storage.delete(doomed);
    expect(fake.object('products', doomed)).toBeUndefined();
    await expect(storage.delete(doomed)).resolves.toBeUndefined();
  });

  it('answers 404 on /files/:token, which only the local driver serves', async () => {
    const res = await t.http.get('/files/abc.def');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  describe('GET /health/ready', () => {
    it('is up while the bucket answers and is private', async () => {
      const res = await t.http.get('/health/ready');
      expect(res.status).toBe(200);
      expect(res.body.checks.storage).toEqual({ status: 'up' });
    });

    it('is down when the bucket is public', async () => {
      fake.buckets.get('products')!.public = true;
      try {
        const res = await t.http.get('/health/ready');
        expect(res.status).toBe(503);
        expect(res.body.checks.storage).toEqual({
          status: 'down',
          error: 'bucket "products" is public; it must be private',
        });
      } finally {
        fake.buckets.get('products')!.public = false;
      }
    });

    it('is down when the bucket does not exist', async () => {
      const bucket = fake.buckets.get('products')!;
      fake.buckets.delete('products');
      try {
        const res = await t.http.get('/health/ready');
        expect(res.status).toBe(503);
        expect(res.body.checks.storage).toEqual({
          status: 'down',
          error: 'bucket "products" is not available (NoSuchBucket)',
        });
      } finally {
        fake.buckets.set('products', bucket);
      }
    });

    it('is down while the storage server is stopped, and operations fail with 503', async () => {
      await fake.stop();
      try {
        const res = await t.http.get('/health/ready');
        expect(res.status).toBe(503);
        expect(res.body.status).toBe('error');
        expect(res.body.checks.storage.status).toBe('down');
        expect(res.body.checks.database).toEqual({ status: 'up' });
        const attempt = storage.put({
          key: newKey(),
          body: Readable.from([Buffer.from('x')]),
          contentType: 'a/b',
        });
        await expect(attempt).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
        await expect(attempt).rejects.toBeInstanceOf(DomainException);
        expect(
          ((await attempt.catch((e: DomainException) => e)) as DomainException).getStatus(),
        ).toBe(503);
      } finally {
        await fake.listen();
      }
      expect((await t.http.get('/health/ready')).status).toBe(200);
    });
  });
});
