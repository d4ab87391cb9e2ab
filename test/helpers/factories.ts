import { randomUUID } from 'node:crypto';
import type { Agent as TestAgent } from 'supertest';

export interface Account {
  token: string;
  id: string;
  email: string;
  password: string;
  auth: { Authorization: string };
}

export async function registerUser(
  http: TestAgent,
  role: 'creator' | 'buyer',
  overrides: { email?: string; password?: string; displayName?: string } = {},
): Promise<Account> {
  const email = overrides.email ?? `${role}-${randomUUID()}@example.com`;
  const password = overrides.password ?? 'correct horse battery';
  const res = await http.post(`/register/${role}`).send({
    email,
    password,
    displayName: overrides.displayName ?? `${role} ${email.slice(0, 8)}`,
  });
  if (res.status !== 201)
    throw new Error(`register ${role}: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { access_token: string; user: { id: string } };
  return {
    token: body.access_token,
    id: body.user.id,
    email,
    password,
    auth: { Authorization: `Bearer ${body.access_token}` },
  };
}

export const registerCreator = (http: TestAgent, overrides = {}) =>
  registerUser(http, 'creator', overrides);
export const registerBuyer = (http: TestAgent, overrides = {}) =>
  registerUser(http, 'buyer', overrides);
