import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/app/assets/index-Ab12.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('storefront '.repeat(500))});`;

/** A build of the storefront as Vite lays it out (index.html, hashed assets/, public files). */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'creator-files-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-Ab12.js'), SCRIPT);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  return dir;
}

describe('the storefront at /app/', () => {
  let t: TestApp;
  let webDir: string;

  beforeAll(async () => {
    webDir = fakeBuild();
    t = await createTestApp({ WEB_DIR: webDir });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  describe('GET /', () => {
    it('redirects to /app/', async () => {
      const res = await t.http.get('/').expect(302);
      expect(res.headers.location).toBe('/app/');
    });
  });

  describe('GET /app and /app/', () => {
    it('adds the slash, keeping the query', async () => {
      expect((await t.http.get('/app').expect(301)).headers.location).toBe('/app/');
      expect((await t.http.get('/app?q=drum').expect(301)).headers.location).toBe('/app/?q=drum');
    });

    it('answers index.html, revalidated on every visit, under the content security policy', async () => {
      const res = await t.http.get('/app/').expect(200);
      expect(res.text).toBe(INDEX);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("script-src-attr 'none'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
    });
  });

  describe('history fallback', () => {
    it.each([
      '/app/products/7b0d6a8e-3f1c-4f0e-9a55-0a4f6f0c2a11',
      '/app/sign-in?next=%2Flibrary',
      '/app/library?session_id=cs_sim_1',
      '/app/dashboard/products/x',
    ])('answers index.html for the app route %s', async (path) => {
      const res = await t.http.get(path).expect(200);
      expect(res.text).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
    });

    it('keeps a missing file a 404 with the error shape, not the page', async () => {
      for (const path of ['/app/assets/index-Old1.js', '/app/robots.txt']) {
        const res = await t.http.get(path).expect(404);
        expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      }
    });

    it('serves no dotfile and nothing outside the build', async () => {
      await t.http.get('/app/.env').expect(404);
      for (const path of [
        '/app/../package.json',
        '/app/%2e%2e/package.json',
        '/app/assets/..%2f..%2fpackage.json',
      ]) {
        const res = await t.http.get(path);
        expect(res.status).not.toBe(200);
        expect(res.text).not.toContain('"name": "creator-files"');
      }
    });

    it('answers only GET and HEAD', async () => {
      await t.http.head('/app/library').expect(200);
      const res = await t.http.post('/app/library').send({}).expect(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('assets', () => {
    it('caches hashed files for a year and compresses them', async () => {
      const res = await t.http
        .get('/app/assets/index-Ab12.js')
        .set('Accept-Encoding', 'gzip')
        .expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.text).toBe(SCRIPT);
    });

    it('caches files that keep their name for an hour only', async () => {
      const res = await t.http.get('/app/favicon.svg').expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=3600');
    });
  });

  describe('the API beside it', () => {
    it('keeps its routes and JSON answers', async () => {
      const res = await t.http.get('/products').expect(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
      expect(res.headers['content-encoding']).toBeUndefined();
      await t.http.get('/health').expect(200);
      const missing = await t.http.get('/no-such-route').expect(404);
      expect(missing.body).toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('before the storefront is built', () => {
  let t: TestApp;
  let empty: string;

  beforeAll(async () => {
    empty = mkdtempSync(join(tmpdir(), 'creator-files-web-'));
    t = await createTestApp({ WEB_DIR: empty });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('sends / to the API documentation and says how to build /app/', async () => {
    expect((await t.http.get('/').expect(302)).headers.location).toBe('/docs');
    const res = await t.http.get('/app/').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(res.body.message).toContain('npm run build');
  });
});
