import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCreatorFilesClient } from '../client/src/index.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// The typed client of client/ against the real app over HTTP, as a browser app would use it.
describe('typed client (client/)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers, signs in and reads the account with the bearer token', async () => {
    const session: { token?: string } = {};
    const api = createCreatorFilesClient({ baseUrl: t.baseUrl, getToken: () => session.token });
    const email = `client-${Date.now()}@example.com`;

    const registered = await api.POST('/register/creator', {
      body: { email, password: 'typed client password' },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data?.user.role).toBe('creator');

    const anonymous = await api.GET('/me');
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.code).toBe('UNAUTHENTICATED');

    const login = await api.POST('/login', { body: { email, password: 'typed client password' } });
    session.token = login.data?.access_token;
    const me = await api.GET('/me');
    expect(me.data).toMatchObject({ email, role: 'creator' });
  });

  it('returns the error body, typed, for a failed call', async () => {
    const api = createCreatorFilesClient({ baseUrl: t.baseUrl });
    const { data, error } = await api.POST('/login', {
      body: { email: 'nobody@example.com', password: 'wrong password' },
    });
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ statusCode: 401, code: 'INVALID_CREDENTIALS' });
  });
});
