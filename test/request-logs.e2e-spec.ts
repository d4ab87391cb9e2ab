import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { registerBuyer } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// nestjs-pino builds one pino-http logger per process, from the first app's settings, so this
// file creates exactly one app: the one that logs to the test's stream.
describe('request logs', () => {
  const lines: string[] = [];
  let t: TestApp;
  let app: NestExpressApplication;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'info' }, undefined, {
      logDestination: { write: (line) => lines.push(line) },
    });
    app = t.app;
  });
  afterAll(() => t.close());

  interface RequestLine {
    req: { id: string; method: string; path: string };
    res: { statusCode: number };
    responseTime: number;
    userId?: string;
  }
  const requestLines = () =>
    lines
      .map((line) => JSON.parse(line) as Partial<RequestLine>)
      .filter((entry): entry is RequestLine => entry.req !== undefined && entry.res !== undefined);

  it('say what happened and leak no password, token, Authorization or signed path', async () => {
    const http = request(app.getHttpServer());
    const password = 'Sekr1t-passw0rd-in-a-log?';
    const buyer = await registerBuyer(http, { password });
    const login = await http.post('/login').send({ email: buyer.email, password }).expect(200);
    const token = login.body.access_token as string;
    const me = await http
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'me-request-1')
      .expect(200);
    expect(me.headers['x-request-id']).toBe('me-request-1');
    await http.get('/me').set('Authorization', 'Bearer not.a.valid-token-value').expect(401);
    const fileToken = `v1.${randomBytes(24).toString('base64url')}.sig-${randomBytes(8).toString('hex')}`;
    await http.get(`/files/${fileToken}?download=1`);
    const signature = `t=1700000000,v1=${randomBytes(32).toString('hex')}`;
    await http
      .post('/webhooks/stripe')
      .set('Stripe-Signature', signature)
      .send({ id: 'evt_1', type: 'charge.refunded' });
    await http
      .post('/login')
      .set('X-Request-Id', 'last-request')
      .send({ email: buyer.email, password: `${password}-wrong` });
    // A request's line is written when its response finishes, which may be after the client
    // has read it.
    for (let i = 0; i < 100 && !requestLines().some((e) => e.req.id === 'last-request'); i++) {
      await new Promise((done) => setTimeout(done, 20));
    }

    const all = lines.join('\n');
    for (const secret of [
      password,
      token,
      token.split('.')[2],
      'not.a.valid-token-value',
      fileToken,
      signature,
      signature.split('v1=')[1],
      'Bearer',
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(all.toLowerCase()).not.toContain('authorization');

    const entries = requestLines();
    const meEntry = entries.find((e) => e.req.id === 'me-request-1');
    expect(meEntry).toMatchObject({
      req: { id: 'me-request-1', method: 'GET', path: '/me' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      userId: buyer.id,
    });
    expect(entries.find((e) => e.req.path === '/login')).toMatchObject({
      req: { method: 'POST', id: expect.stringMatching(UUID) },
      res: { statusCode: 200 },
    });
    expect(entries.find((e) => e.req.path.startsWith('/files/'))?.req.path).toBe(
      '/files/[redacted]',
    );
    expect(entries.find((e) => e.res.statusCode === 401)).toBeDefined();
  });

  it('leave out liveness probes, which still get a request id', async () => {
    const http = request(app.getHttpServer());
    const probe = await http.get('/health').set('X-Request-Id', 'probe-1').expect(200);
    expect(probe.headers['x-request-id']).toBe('probe-1');
    await http.get('/health/ready').set('X-Request-Id', 'ready-1').expect(200);
    for (let i = 0; i < 100 && !requestLines().some((e) => e.req.id === 'ready-1'); i++) {
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(requestLines().some((e) => e.req.id === 'ready-1')).toBe(true);
    expect(lines.join('\n')).not.toContain('probe-1');
  });
});
