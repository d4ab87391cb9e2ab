import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { registerBuyer, sessionOf, type Account } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The refresh_token Set-Cookie line of a response. */
function refreshCookie(res: Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = cookies.find((c) => c.startsWith('refresh_token='));
  if (line === undefined) throw new Error(`no refresh cookie in ${JSON.stringify(cookies)}`);
  return line;
}
const cookieValue = (line: string) => line.split(';')[0].slice('refresh_token='.length);

interface Tokens {
  access_token: string;
  refresh_token: string;
}

describe('sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const login = async (account: Account): Promise<{ tokens: Tokens; res: Response }> => {
    const res = await t.http
      .post('/login')
      .send({ email: account.email, password: account.password })
      .expect(200);
    return { tokens: res.body as Tokens, res };
  };
  const refresh = (token: string) => t.http.post('/refresh').send({ refresh_token: token });
  const sessionRow = async (id: string) =>
    (
      await t.dataSource.query<{ token_hash: string; revoked_at: Date | null }[]>(
        'SELECT token_hash, revoked_at FROM sessions WHERE id = $1',
        [id],
      )
    )[0];

  describe('tokens issued by login and register', () => {
    it('an access token of JWT_EXPIRES_IN (900 s) naming its session, and a refresh cookie', async () => {
      const buyer = await registerBuyer(t.http);
      const { tokens, res } = await login(buyer);
      const claims = JSON.parse(
        Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString(),
      ) as { exp: number; iat: number; sid: string };
      expect(claims.exp - claims.iat).toBe(900);
      expect(tokens.refresh_token.startsWith(`${claims.sid}.`)).toBe(true);
      const cookie = refreshCookie(res);
      expect(cookieValue(cookie)).toBe(encodeURIComponent(tokens.refresh_token));
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Path=\/refresh/);
      expect(cookie).not.toMatch(/; Secure/);
      // A new login is a new session; the registration's session is still there.
      expect(claims.sid).not.toBe(buyer.sessionId);
      await t.http.get('/me').set(buyer.auth).expect(200);
    });

    it('stores only a hash of the refresh token', async () => {
      const buyer = await registerBuyer(t.http);
      const secret = buyer.refreshToken.split('.')[1];
      const dump = JSON.stringify(
        await t.dataSource.query('SELECT * FROM sessions WHERE user_id = $1', [buyer.id]),
      );
      expect(dump).not.toContain(secret);
      expect((await sessionRow(buyer.sessionId)).token_hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('POST /refresh', () => {
    it('rotates: a new pair, with the body token; the new access token works', async () => {
      const buyer = await registerBuyer(t.http);
      const res = await refresh(buyer.refreshToken).expect(200);
      const next = res.body as Tokens & { user: { id: string } };
      expect(next.refresh_token).not.toBe(buyer.refreshToken);
      expect(sessionOf(next.access_token)).toBe(buyer.sessionId);
      expect(next.user.id).toBe(buyer.id);
      expect(cookieValue(refreshCookie(res))).toBe(encodeURIComponent(next.refresh_token));
      const me = await t.http.get('/me').set(bearer(next.access_token)).expect(200);
      expect(me.body.id).toBe(buyer.id);
      // and the next one rotates again
      await refresh(next.refresh_token).expect(200);
    });

    it('works from the cookie alone, and each answer sets the cookie to the next token', async () => {
      const buyer = await registerBuyer(t.http);
      let cookie = `refresh_token=${encodeURIComponent(buyer.refreshToken)}`;
      for (let i = 0; i < 3; i++) {
        const res = await t.http.post('/refresh').set('Cookie', cookie).expect(200);
        const line = refreshCookie(res);
        expect(cookieValue(line)).toBe(encodeURIComponent((res.body as Tokens).refresh_token));
        cookie = line.split(';')[0];
      }
    });

    it('a rotated token used again ends the whole session (401 REFRESH_TOKEN_REUSED)', async () => {
      const buyer = await registerBuyer(t.http);
      const other = await login(buyer);
      const next = (await refresh(buyer.refreshToken).expect(200)).body as Tokens;

      const reused = await refresh(buyer.refreshToken).expect(401);
      expect(reused.body).toEqual({
        statusCode: 401,
        code: 'REFRESH_TOKEN_REUSED',
        message: expect.any(String),
      });
      // The newer token and every access token of that session stop at once...
      const after = await refresh(next.refresh_token).expect(401);
      expect(after.body.code).toBe('REFRESH_TOKEN_INVALID');
      await t.http.get('/me').set(bearer(next.access_token)).expect(401);
      await t.http.get('/me').set(buyer.auth).expect(401);
      expect((await sessionRow(buyer.sessionId)).revoked_at).not.toBeNull();
      // ...while the account's other session goes on.
      await t.http.get('/me').set(bearer(other.tokens.access_token)).expect(200);
      await refresh(other.tokens.refresh_token).expect(200);
    });

    it('of concurrent refreshes with one token, exactly one succeeds', async () => {
      const buyer = await registerBuyer(t.http);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => refresh(buyer.refreshToken)),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 401, 401, 401]);
      // The first replay ends the session; any later one finds it ended.
      const codes = results.filter((r) => r.status === 401).map((r) => r.body.code as string);
      expect(codes).toContain('REFRESH_TOKEN_REUSED');
      expect(new Set([...codes, 'REFRESH_TOKEN_INVALID'])).toEqual(
        new Set(['REFRESH_TOKEN_REUSED', 'REFRESH_TOKEN_INVALID']),
      );
      expect((await sessionRow(buyer.sessionId)).revoked_at).not.toBeNull();
    });

    it('401 REFRESH_TOKEN_INVALID for no token, garbage, an unknown session, an expired session', async () => {
      const buyer = await registerBuyer(t.http);
      const secret = buyer.refreshToken.split('.')[1];
      const bad = [
        undefined,
        'garbage',
        buyer.sessionId,
        `${buyer.sessionId}.`,
        `00000000-0000-4000-8000-000000000000.${secret}`,
        `not-a-uuid.${secret}`,
      ];
      for (const token of bad) {
        const res = await t.http
          .post('/refresh')
          .send(token === undefined ? {} : { refresh_token: token });
        expect({ token, status: res.status, body: res.body }).toEqual({
          token,
          status: 401,
          body: { statusCode: 401, code: 'REFRESH_TOKEN_INVALID', message: expect.any(String) },
        });
      }
      // None of those was a rotated token of the session: it is still alive.
      expect((await sessionRow(buyer.sessionId)).revoked_at).toBeNull();

      await t.dataSource.query(
        `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [buyer.sessionId],
      );
      expect((await refresh(buyer.refreshToken).expect(401)).body.code).toBe(
        'REFRESH_TOKEN_INVALID',
      );
      await t.http.get('/me').set(buyer.auth).expect(401);
    });

    it('400 for a refresh_token that is not a string', async () => {
      for (const body of [
        { refresh_token: 5 },
        { refresh_token: null },
        { refresh_token: 'x'.repeat(201) },
        { other: 1 },
      ]) {
        const res = await t.http.post('/refresh').send(body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
    });
  });

  describe('POST /logout', () => {
    it('ends this session: its access and refresh tokens stop at once; the cookie is cleared', async () => {
      const buyer = await registerBuyer(t.http);
      const other = await login(buyer);
      const res = await t.http.post('/logout').set(buyer.auth).expect(204);
      const cookie = refreshCookie(res);
      expect(cookieValue(cookie)).toBe('');
      expect(cookie).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(cookie).toMatch(/; Path=\/refresh/);

      await t.http.get('/me').set(buyer.auth).expect(401);
      expect((await refresh(buyer.refreshToken).expect(401)).body.code).toBe(
        'REFRESH_TOKEN_INVALID',
      );
      await t.http.post('/logout').set(buyer.auth).expect(401);
      await t.http.get('/me').set(bearer(other.tokens.access_token)).expect(200);
    });

    it('401 without a token', async () => {
      const res = await t.http.post('/logout').expect(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('PUT /me/password', () => {
    it('changes the password and ends every other session, keeping this one', async () => {
      const buyer = await registerBuyer(t.http);
      const other = await login(buyer);
      await t.http
        .put('/me/password')
        .set(buyer.auth)
        .send({ currentPassword: buyer.password, newPassword: 'a brand new secret' })
        .expect(204);

      await t.http.get('/me').set(buyer.auth).expect(200);
      await refresh(buyer.refreshToken).expect(200);
      await t.http.get('/me').set(bearer(other.tokens.access_token)).expect(401);
      await refresh(other.tokens.refresh_token).expect(401);

      await t.http
        .post('/login')
        .send({ email: buyer.email, password: buyer.password })
        .expect(401);
      await t.http
        .post('/login')
        .send({ email: buyer.email, password: 'a brand new secret' })
        .expect(200);
    });

    it('403 WRONG_PASSWORD for a wrong current password, and nothing changes', async () => {
      const buyer = await registerBuyer(t.http);
      const other = await login(buyer);
      const res = await t.http
        .put('/me/password')
        .set(buyer.auth)
        .send({ currentPassword: 'not my password', newPassword: 'a brand new secret' })
        .expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        code: 'WRONG_PASSWORD',
        message: expect.any(String),
      });
      await t.http.get('/me').set(bearer(other.tokens.access_token)).expect(200);
      await login(buyer);
    });

    it('400 for a short or over-long new password, or extra fields; 401 without a token', async () => {
      const buyer = await registerBuyer(t.http);
      const bodies = [
        { currentPassword: buyer.password, newPassword: 'short' },
        { currentPassword: buyer.password, newPassword: 'é'.repeat(37) },
        { currentPassword: buyer.password },
        { currentPassword: buyer.password, newPassword: 'long enough!', role: 'creator' },
      ];
      for (const body of bodies) {
        const res = await t.http.put('/me/password').set(buyer.auth).send(body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      await login(buyer);
      await t.http
        .put('/me/password')
        .send({ currentPassword: buyer.password, newPassword: 'long enough!' })
        .expect(401);
    });
  });
});
