import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerBuyer, registerCreator } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const b64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function signHs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }) {
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('accounts and authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const countUsers = async () =>
    Number((await t.dataSource.query('SELECT count(*)::int AS n FROM users'))[0].n);

  describe('POST /register/buyer and /register/creator', () => {
    it('creates an account and signs it in', async () => {
      const res = await t.http
        .post('/register/creator')
        .send({ email: '  Maker@Example.COM ', password: 'correct horse', displayName: 'Maker' })
        .expect(201);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^[0-9a-f-]{36}\.[\w-]{43}$/),
        refresh_expires_in: 30 * 24 * 3600,
        user: {
          id: expect.any(String),
          email: 'maker@example.com',
          role: 'creator',
          displayName: 'Maker',
          emailVerified: false,
          createdAt: expect.any(String),
        },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|hash/i);
      const me = await t.http
        .get('/me')
        .set('Authorization', `Bearer ${res.body.access_token}`)
        .expect(200);
      expect(me.body.email).toBe('maker@example.com');
      expect(me.body.role).toBe('creator');
    });

    it('refuses a second account with the same email in another case (409 EMAIL_TAKEN)', async () => {
      await t.http
        .post('/register/buyer')
        .send({ email: 'twin@example.com', password: 'password1' });
      const before = await countUsers();
      const res = await t.http
        .post('/register/creator')
        .send({ email: 'TWIN@example.com', password: 'password1' })
        .expect(409);
      expect(res.body).toEqual({
        statusCode: 409,
        code: 'EMAIL_TAKEN',
        message: expect.any(String),
      });
      expect(await countUsers()).toBe(before);
    });

    it('takes one account when the same email registers twice at once', async () => {
      const email = 'race@example.com';
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          t.http.post('/register/buyer').send({ email, password: 'password1' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    });

    it.each([
      ['a missing email', { password: 'password1' }],
      ['an invalid email', { email: 'not-an-email', password: 'password1' }],
      ['a short password', { email: 'short@example.com', password: 'seven77' }],
      ['a password over 72 bytes', { email: 'long@example.com', password: 'é'.repeat(37) }],
      ['a non-string password', { email: 'num@example.com', password: 12345678 }],
      ['a role field', { email: 'role@example.com', password: 'password1', role: 'creator' }],
      ['an id field', { email: 'id@example.com', password: 'password1', id: 'x' }],
      [
        'an over-long display name',
        { email: 'dn@example.com', password: 'password1', displayName: 'x'.repeat(101) },
      ],
    ])('rejects %s with 400 VALIDATION_FAILED and writes nothing', async (_name, body) => {
      const before = await countUsers();
      const res = await t.http.post('/register/buyer').send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.statusCode).toBe(400);
      expect(Array.isArray(res.body.fields)).toBe(true);
      expect(await countUsers()).toBe(before);
    });

    it('accepts a 72-byte password and a buyer role', async () => {
      const res = await t.http
        .post('/register/buyer')
        .send({ email: 'seventytwo@example.com', password: 'é'.repeat(36) })
        .expect(201);
      expect(res.body.user.role).toBe('buyer');
      expect(res.body.user.displayName).toBe('seventytwo');
    });
  });

  describe('POST /login', () => {
    it('signs in with the right password, whatever the email case', async () => {
      const buyer = await registerBuyer(t.http);
      const res = await t.http
        .post('/login')
        .send({ email: buyer.email.toUpperCase(), password: buyer.password })
        .expect(200);
      expect(res.body.token_type).toBe('bearer');
      expect(res.body.user.id).toBe(buyer.id);
    });

    it('answers an unknown email and a wrong password with the same 401 body', async () => {
      const buyer = await registerBuyer(t.http);
      const wrong = await t.http
        .post('/login')
        .send({ email: buyer.email, password: 'wrong password' })
        .expect(401);
      const unknown = await t.http
        .post('/login')
        .send({ email: 'nobody@example.com', password: 'wrong password' })
        .expect(401);
      expect(wrong.body).toEqual({
        statusCode: 401,
        code: 'INVALID_CREDENTIALS',
        message: 'Invalid email or password',
      });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('rejects malformed JSON with 400 MALFORMED_JSON', async () => {
      const res = await t.http
        .post('/login')
        .set('Content-Type', 'application/json')
        .send('{"email": "a@b.c",')
        .expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        code: 'MALFORMED_JSON',
        message: expect.any(String),
      });
    });

    it('rejects an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await t.http
        .post('/login')
        .send({ email: 'a@example.com', password: 'x'.repeat(200_000) })
        .expect(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('GET /me and bearer tokens', () => {
    it('401 without a token', async () => {
      const res = await t.http.get('/me').expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        code: 'UNAUTHENTICATED',
        message: expect.any(String),
      });
    });

    it('401 for forged tokens: alg none, wrong key, expired, edited role, foreign session, garbage', async () => {
      const creator = await registerCreator(t.http);
      const buyer = await registerBuyer(t.http);
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        sub: buyer.id,
        role: 'buyer',
        sid: buyer.sessionId,
        iat: now,
        exp: now + 600,
      };
      const [, body] = buyer.token.split('.');
      const withoutSession: Partial<typeof payload> = { ...payload };
      delete withoutSession.sid;
      const forged = [
        `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`,
        signHs256(payload, 'a-different-secret-that-is-long-enough!!'),
        signHs256({ ...payload, iat: now - 7200, exp: now - 3600 }, t.config.jwt.secret),
        // the buyer's own signature on a body whose role says creator
        `${buyer.token.split('.')[0]}.${b64url({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), role: 'creator' })}.${buyer.token.split('.')[2]}`,
        // a validly signed token claiming another role than the account has
        signHs256({ ...payload, sub: creator.id, role: 'buyer' }, t.config.jwt.secret),
        signHs256({ ...payload, sub: 'not-a-uuid' }, t.config.jwt.secret),
        // no session, another account's session, a session that never existed
        signHs256(withoutSession, t.config.jwt.secret),
        signHs256({ ...payload, sid: creator.sessionId }, t.config.jwt.secret),
        signHs256({ ...payload, sid: '00000000-0000-4000-8000-000000000000' }, t.config.jwt.secret),
        signHs256(payload, t.config.jwt.secret, { alg: 'HS512', typ: 'JWT' }),
        'garbage',
      ];
      for (const token of forged) {
        const res = await t.http.get('/me').set('Authorization', `Bearer ${token}`);
        expect({ token, status: res.status, code: res.body.code }).toEqual({
          token,
          status: 401,
          code: 'UNAUTHENTICATED',
        });
      }
      // The control: the same secret and a well-formed payload pass.
      await t.http
        .get('/me')
        .set('Authorization', `Bearer ${signHs256(payload, t.config.jwt.secret)}`)
        .expect(200);
    });

    it('401 for the token of a user who no longer exists', async () => {
      const buyer = await registerBuyer(t.http);
      await t.dataSource.query('DELETE FROM users WHERE id = $1', [buyer.id]);
      await t.http.get('/me').set(buyer.auth).expect(401);
    });
  });

  describe('unknown routes', () => {
    it('404 NOT_FOUND in the error shape', async () => {
      const res = await t.http.get('/no/such/route').expect(404);
      expect(res.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: 'Not found' });
    });
  });
});

describe('rate limiting of sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('429 RATE_LIMITED with Retry-After after the limit, per client', async () => {
    for (let i = 0; i < 3; i++) {
      await t.http
        .post('/login')
        .send({ email: 'x@example.com', password: 'password1' })
        .expect(401);
    }
    const res = await t.http
      .post('/login')
      .send({ email: 'x@example.com', password: 'password1' })
      .expect(429);
    expect(res.body).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.any(String),
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Routes outside sign-in are not limited.
    await t.http.get('/health').expect(200);
  });
});
