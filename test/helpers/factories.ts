import { randomUUID } from 'node:crypto';
import type { Agent as TestAgent } from 'supertest';

export interface Account {
  token: string;
  /** The session's current refresh token, and the session the access token names. */
  refreshToken: string;
  sessionId: string;
  id: string;
  email: string;
  password: string;
  auth: { Authorization: string };
}

/** The session id an access token names (its `sid` claim). */
export const sessionOf = (accessToken: string): string =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string })
    .sid;

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
  const body = res.body as { access_token: string; refresh_token: string; user: { id: string } };
  return {
    token: body.access_token,
    refreshToken: body.refresh_token,
    sessionId: sessionOf(body.access_token),
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

/** A product as `POST /creator/upload` answers it. */
export interface CreatedProduct {
  id: string;
  title: string;
  description: string;
  priceCents: number;
  currency: string;
  status: 'published' | 'unpublished' | 'archived';
  fileName: string;
  size: number;
  contentType: string;
  sha256: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ProductOverrides {
  title?: string;
  description?: string;
  priceCents?: number;
  currency?: string;
  fileName?: string;
  content?: Buffer;
  status?: 'published' | 'unpublished' | 'archived';
}

/** Uploads a product through the API as `creator` (then sets its status if asked). */
export async function createProduct(
  http: TestAgent,
  creator: Account,
  overrides: ProductOverrides = {},
): Promise<CreatedProduct> {
  let req = http
    .post('/creator/upload')
    .set(creator.auth)
    .field('title', overrides.title ?? `Product ${randomUUID().slice(0, 8)}`)
    .field('priceCents', String(overrides.priceCents ?? 1500));
  if (overrides.description !== undefined) req = req.field('description', overrides.description);
  if (overrides.currency !== undefined) req = req.field('currency', overrides.currency);
  const res = await req.attach(
    'file',
    overrides.content ?? Buffer.from(`%PDF-1.7\n${randomUUID()}\n%%EOF\n`),
    overrides.fileName ?? 'book.pdf',
  );
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
  const product = res.body as CreatedProduct;
  if (overrides.status === 'archived') {
    await http.delete(`/creator/products/${product.id}`).set(creator.auth).expect(204);
    return { ...product, status: 'archived' };
  }
  if (overrides.status !== undefined && overrides.status !== product.status) {
    const patched = await http
      .patch(`/creator/products/${product.id}`)
      .set(creator.auth)
      .send({ status: overrides.status })
      .expect(200);
    return patched.body as CreatedProduct;
  }
  return product;
}
