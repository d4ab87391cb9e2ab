import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const SHOP = 'https://shop.example.com';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The log-redaction test is in request-logs.e2e-spec.ts: nestjs-pino keeps one logger per
// process (the first app's), so it needs a file whose only app logs to the test's stream.

describe('HTTP hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: `${SHOP}, http://localhost:5173` });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('security headers', () => {
    it('are set on API answers', async () => {
      const res = await t.http.get('/health').expect(200);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('are set on Swagger UI, whose page runs no inline script', async () => {
      const res = await t.http.get('/docs').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).not.toContain('upgrade-insecure-requests');
      // The CSP allows only scripts served by the app: every <script> must have a src.
      const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, content] of scripts) {
        expect(attributes).toMatch(/src="[^"]+"/);
        expect(content.trim()).toBe('');
      }
      await t.http.get('/docs/swagger-ui-init.js').expect(200);
      await t.http.get('/docs-json').expect(200);
    });
  });

  describe('CORS from CORS_ORIGINS', () => {
    it('allows a listed origin and exposes the request id', async () => {
      const res = await t.http.get('/health').set('Origin', SHOP).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(SHOP);
      expect(res.headers['vary']).toMatch(/Origin/);
      expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
    });

    it('answers a preflight from a listed origin for an authenticated JSON request', async () => {
      const res = await t.http
        .options('/me')
        .set('Origin', 'http://localhost:5173')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization,content-type')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(res.headers['access-control-allow-headers']).toMatch(/authorization/i);
    });

    it('refuses any other origin (no Access-Control-Allow-Origin)', async () => {
      for (const origin of ['https://evil.example.com', 'https://shop.example.com.evil.com']) {
        const res = await t.http.get('/health').set('Origin', origin).expect(200);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        const preflight = await t.http
          .options('/login')
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
  });

  describe('X-Request-Id', () => {
    it('is generated when the client sends none', async () => {
      const res = await t.http.get('/health').expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('is echoed back when the client sends a sane one', async () => {
      const res = await t.http.get('/health').set('X-Request-Id', 'trace-42.abc:1').expect(200);
      expect(res.headers['x-request-id']).toBe('trace-42.abc:1');
    });

    it('is replaced when the given one is too long or has odd characters', async () => {
      for (const given of ['x'.repeat(200), 'a b', '<script>']) {
        const res = await t.http.get('/health').set('X-Request-Id', given).expect(200);
        expect(res.headers['x-request-id']).toMatch(UUID);
      }
    });

    it('is on error answers too', async () => {
      const res = await t.http.get('/no-such-route').set('X-Request-Id', 'err-1').expect(404);
      expect(res.headers['x-request-id']).toBe('err-1');
      expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });
  });

  it('refuses a JSON body over the limit with 413 and the error shape', async () => {
    const res = await t.http
      .post('/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(200_000) }))
      .expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('TRUST_PROXY', () => {
  // The login rate limit counts per client IP, so it shows which address the app believes.
  const attempt = (t: TestApp, ip: string) =>
    t.http
      .post('/login')
      .set('X-Forwarded-For', ip)
      .send({ email: 'nobody@example.com', password: 'wrong password' });

  it('off (the default): X-Forwarded-For is ignored, all clients share the address', async () => {
    const t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      expect((await attempt(t, '203.0.113.1')).status).toBe(401);
      expect((await attempt(t, '203.0.113.2')).status).toBe(401);
      expect((await attempt(t, '203.0.113.3')).status).toBe(429);
    } finally {
      await t.close();
    }
  });

  it('on: each forwarded client address has its own limit', async () => {
    const t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'true' });
    try {
      for (const ip of ['203.0.113.1', '203.0.113.2']) {
        expect((await attempt(t, ip)).status).toBe(401);
        expect((await attempt(t, ip)).status).toBe(401);
      }
      expect((await attempt(t, '203.0.113.1')).status).toBe(429);
    } finally {
      await t.close();
    }
  });
});
