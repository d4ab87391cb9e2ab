import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ObjectExistsException } from '../src/storage/storage.errors.js';
import { STORAGE, type StorageDriver } from '../src/storage/storage.interface.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const newKey = () => `creator-${randomUUID()}/product-${randomUUID()}/${randomUUID()}`;

/** A body that sends some bytes, then fails, like an upload cut off midway. */
function failingStream(bytesBefore: number): Readable {
  let sent = false;
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
