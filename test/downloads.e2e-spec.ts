import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FulfilmentService } from '../src/purchases/fulfilment.service.js';
import { STORAGE, type StorageDriver } from '../src/storage/storage.interface.js';
import { insertProduct } from './helpers/catalogue-factories.js';
import { FakeSupabaseStorage } from './helpers/fake-supabase-storage.js';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A product whose file really is in storage. */
async function productWithFile(
  t: TestApp,
  creator: Account,
  bytes: Buffer,
  fileName = 'notes.pdf',
) {
  const storage = t.app.get<StorageDriver>(STORAGE);
  const key = `${creator.id}/${randomUUID()}/${randomUUID()}`;
  await storage.put({ key, body: Readable.from([bytes]), contentType: 'application/pdf' });
  return insertProduct(t.dataSource, creator.id, {
    fileKey: key,
    fileName,
    fileSize: bytes.length,
    sha256: sha256(bytes),
  });
}

/** Fetches a link the way a browser would: no Authorization header. */
function fetchLink(t: TestApp, url: string, headers: Record<string, string> = {}) {
  const { pathname } = new URL(url);
  return t.http
    .get(pathname)
    .set(headers)
    .buffer(true)
    .parse((res, done: (err: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

describe('GET /download/:productId', () => {
  let t: TestApp;
  let creator: Account;
  let otherCreator: Account;
  let fulfilment: FulfilmentService;

  beforeAll(async () => {
    t = await createTestApp();
    creator = await registerCreator(t.http);
    otherCreator = await registerCreator(t.http);
    fulfilment = t.app.get(FulfilmentService);
  });
  afterAll(async () => {
    await t.close();
  });

  async function buy(buyer: Account, productId: string) {
    const started = await t.http.post(`/purchase/${productId}`).set(buyer.auth).expect(201);
    await t.http
      .post(`${new URL(started.body.checkoutUrl).pathname}/pay`)
      .type('form')
      .send({ outcome: 'success' })
      .expect(303);
    const [row] = await t.dataSource.query(
      'SELECT id, provider_payment_id, amount_cents FROM purchases WHERE id = $1',
      [started.body.purchaseId],
    );
    return {
      id: row.id as string,
      paymentId: row.provider_payment_id as string,
      amountCents: row.amount_cents as number,
    };
  }

  const refund = (p: { id: string; paymentId: string; amountCents: number }, cents: number) =>
    fulfilment.handleEvent('simulated', {
      id: `evt_${randomUUID()}`,
      type: 'charge.refunded',
      paymentId: p.paymentId,
      purchaseId: p.id,
      amountRefundedCents: cents,
      amountCents: p.amountCents,
      currency: 'usd',
    });
  const dispute = (p: { id: string; paymentId: string }) =>
    fulfilment.handleEvent('simulated', {
      id: `evt_${randomUUID()}`,
      type: 'dispute.created',
      paymentId: p.paymentId,
      purchaseId: p.id,
    });
  const closeDispute = (p: { id: string; paymentId: string }, won: boolean) =>
    fulfilment.handleEvent('simulated', {
      id: `evt_${randomUUID()}`,
      type: 'dispute.closed',
      paymentId: p.paymentId,
      purchaseId: p.id,
      won,
    });

  it('answers every kind of caller as it should', async () => {
    const bytes = randomBytes(4096);
    const product = await productWithFile(t, creator, bytes);
    const url = `/download/${product.id}`;
    const expectCode = async (auth: Record<string, string>, status: number, code?: string) => {
      const res = await t.http.get(url).set(auth);
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
      return res;
    };

    await expectCode({}, 401, 'UNAUTHENTICATED');

    const stranger = await registerBuyer(t.http);
    await expectCode(stranger.auth, 403, 'NOT_PURCHASED');

    const pendingBuyer = await registerBuyer(t.http);
    await t.http.post(`/purchase/${product.id}`).set(pendingBuyer.auth).expect(201);
    await expectCode(pendingBuyer.auth, 403, 'NOT_PURCHASED');

    const payer = await registerBuyer(t.http);
    await buy(payer, product.id);
    const ok = await expectCode(payer.auth, 200);
    expect(ok.body).toEqual({
      url: expect.stringMatching(/^http:\/\/.+\/files\/.+/),
      expiresAt: expect.any(String),
      expiresIn: 60,
      filename: 'notes.pdf',
      size: 4096,
      contentType: 'application/pdf',
      version: 1,
    });
    // Token expiry has whole-second precision, rounded up.
    const lifetime = Date.parse(ok.body.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(55_000);
    expect(lifetime).toBeLessThanOrEqual(61_000);

    const partly = await registerBuyer(t.http);
    const partlyPurchase = await buy(partly, product.id);
    await refund(partlyPurchase, 500);
    await expectCode(partly.auth, 200);

    const refunded = await registerBuyer(t.http);
    const refundedPurchase = await buy(refunded, product.id);
    await expectCode(refunded.auth, 200);
    await refund(refundedPurchase, refundedPurchase.amountCents);
    // The very next request after the webhook is refused.
    await expectCode(refunded.auth, 403, 'ACCESS_REVOKED');

    const disputer = await registerBuyer(t.http);
    const disputed = await buy(disputer, product.id);
    await dispute(disputed);
    await expectCode(disputer.auth, 403, 'ACCESS_REVOKED');
    await closeDispute(disputed, true);
    await expectCode(disputer.auth, 200);

    const loser = await registerBuyer(t.http);
    const lost = await buy(loser, product.id);
    await dispute(lost);
    await closeDispute(lost, false);
    await expectCode(loser.auth, 403, 'ACCESS_REVOKED');

    await expectCode(creator.auth, 200);
    // Another creator's product is answered like an unknown id, so ids cannot be probed.
    await expectCode(otherCreator.auth, 404, 'NOT_FOUND');

    // The library says the same as the download route.
    const library = await t.http.get('/mypurchases').set(refunded.auth).expect(200);
    expect(library.body.items[0]).toMatchObject({ status: 'refunded', hasAccess: false });
    const partLibrary = await t.http.get('/mypurchases').set(partly.auth).expect(200);
    expect(partLibrary.body.items[0]).toMatchObject({
      status: 'paid',
      hasAccess: true,
      refundedCents: 500,
    });
  });

  it('404 for a missing product, and for an unpublished one the caller never bought', async () => {
    const buyer = await registerBuyer(t.http);
    await t.http.get(`/download/${randomUUID()}`).set(buyer.auth).expect(404);
    const hidden = await insertProduct(t.dataSource, creator.id, { status: 'unpublished' });
    await t.http.get(`/download/${hidden.id}`).set(buyer.auth).expect(404);
    await t.http.get('/download/not-a-uuid').set(buyer.auth).expect(400);
  });

  it('keeps archived products downloadable for their buyers', async () => {
    const product = await productWithFile(t, creator, randomBytes(100));
    const buyer = await registerBuyer(t.http);
    await buy(buyer, product.id);
    await t.dataSource.query(`UPDATE products SET status = 'archived' WHERE id = $1`, [product.id]);
    await t.http.get(`/download/${product.id}`).set(buyer.auth).expect(200);
    const stranger = await registerBuyer(t.http);
    await t.http.get(`/download/${product.id}`).set(stranger.auth).expect(404);
  });

  it('serves the exact bytes under the original name, with Range resume', async () => {
    const bytes = randomBytes(300_000);
    const name = 'Ünïcode "quoted" & spaced; name, 🎧.pdf';
    const product = await productWithFile(t, creator, bytes, name);
    const buyer = await registerBuyer(t.http);
    await buy(buyer, product.id);
    const link = await t.http.get(`/download/${product.id}`).set(buyer.auth).expect(200);
    expect(link.body.filename).toBe(name);

    const full = await fetchLink(t, link.body.url).expect(200);
    expect(sha256(full.body as Buffer)).toBe(sha256(bytes));
    const disposition = full.headers['content-disposition'];
    expect(disposition).toMatch(/^attachment;/);
    expect(disposition).toContain(
      `filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
    );

    // A download cut at 100,000 bytes resumes from there.
    const rest = await fetchLink(t, link.body.url, { Range: 'bytes=100000-' }).expect(206);
    expect(rest.headers['content-range']).toBe(`bytes 100000-299999/300000`);
    expect(Buffer.concat([bytes.subarray(0, 100_000), rest.body as Buffer]).equals(bytes)).toBe(
      true,
    );
  });

  it('a link for product A never serves product B, and any altered byte kills it', async () => {
    const a = await productWithFile(t, creator, Buffer.from('file A'));
    const b = await productWithFile(t, creator, Buffer.from('file B'));
    const linkA = await t.http.get(`/download/${a.id}`).set(creator.auth).expect(200);
    const linkB = await t.http.get(`/download/${b.id}`).set(creator.auth).expect(200);
    expect((await fetchLink(t, linkA.body.url).expect(200)).body.toString()).toBe('file A');

    const tokenA = new URL(linkA.body.url).pathname.split('/').pop()!;
    const tokenB = new URL(linkB.body.url).pathname.split('/').pop()!;
    // A's payload with B's signature, and B's payload with A's signature.
    const [payloadA, sigA] = tokenA.split('.');
    const [payloadB, sigB] = tokenB.split('.');
    for (const forged of [`${payloadA}.${sigB}`, `${payloadB}.${sigA}`]) {
      const res = await t.http.get(`/files/${forged}`).expect(403);
      expect(res.body.code).toBe('LINK_INVALID');
    }
    for (let i = 0; i < tokenA.length; i += 7) {
      const c = tokenA[i] === 'A' ? 'B' : 'A';
      const altered = tokenA.slice(0, i) + c + tokenA.slice(i + 1);
      const res = await t.http.get(`/files/${altered}`);
      expect({ i, status: res.status }).toEqual({ i, status: 403 });
    }
  });

  it('logs every link issued', async () => {
    const product = await productWithFile(t, creator, randomBytes(10));
    const buyer = await registerBuyer(t.http);
    const purchase = await buy(buyer, product.id);
    for (let i = 0; i < 3; i++) {
      await t.http
        .get(`/download/${product.id}`)
        .set(buyer.auth)
        .set('User-Agent', 'test-agent/1.0')
        .expect(200);
    }
    await t.http.get(`/download/${product.id}`).set(creator.auth).expect(200);
    const rows = await t.dataSource.query(
      'SELECT user_id, purchase_id, user_agent, ip, file_version FROM downloads WHERE product_id = $1 ORDER BY created_at',
      [product.id],
    );
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      user_id: buyer.id,
      purchase_id: purchase.id,
      user_agent: 'test-agent/1.0',
      ip: expect.stringMatching(/127\.0\.0\.1/),
      file_version: 1,
    });
    expect(rows[3]).toMatchObject({ user_id: creator.id, purchase_id: null });
    // Refused requests issue no link and log nothing.
    const stranger = await registerBuyer(t.http);
    await t.http.get(`/download/${product.id}`).set(stranger.auth).expect(403);
    const after = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM downloads WHERE product_id = $1',
      [product.id],
    );
    expect(after[0].n).toBe(4);
  });
});

describe('download link lifetime and rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DOWNLOAD_URL_TTL_SECONDS: '1', DOWNLOAD_LINKS_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a link used after its lifetime answers 410 LINK_EXPIRED', async () => {
    const creator = await registerCreator(t.http);
    const product = await productWithFile(t, creator, Buffer.from('short-lived'));
    const link = await t.http.get(`/download/${product.id}`).set(creator.auth).expect(200);
    expect(link.body.expiresIn).toBe(1);
    await fetchLink(t, link.body.url).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const res = await t.http.get(new URL(link.body.url).pathname).expect(410);
    expect(res.body.code).toBe('LINK_EXPIRED');
  });

  it('429 RATE_LIMITED with Retry-After past DOWNLOAD_LINKS_PER_MINUTE, per account', async () => {
    const creator = await registerCreator(t.http);
    const product = await productWithFile(t, creator, Buffer.from('x'));
    for (let i = 0; i < 3; i++)
      await t.http.get(`/download/${product.id}`).set(creator.auth).expect(200);
    const res = await t.http.get(`/download/${product.id}`).set(creator.auth).expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const other = await registerCreator(t.http);
    const own = await productWithFile(t, other, Buffer.from('y'));
    await t.http.get(`/download/${own.id}`).set(other.auth).expect(200);
  });
});

describe('downloads with the Supabase storage driver (against the stand-in storage server)', () => {
  let fake: FakeSupabaseStorage;
  let t: TestApp;

  beforeAll(async () => {
    fake = await FakeSupabaseStorage.start({ products: {} });
    t = await createTestApp({
      STORAGE_DRIVER: 'supabase',
      SUPABASE_URL: fake.url,
      SUPABASE_SERVICE_ROLE_KEY: fake.serviceRoleKey,
      DOWNLOAD_URL_TTL_SECONDS: '2',
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('gives a paying buyer a signed URL that serves the exact bytes under the original name', async () => {
    const creator = await registerCreator(t.http);
    const bytes = randomBytes(50_000);
    const name = 'Café & "co"; 🎨.zip';
    const product = await productWithFile(t, creator, bytes, name);
    const buyer = await registerBuyer(t.http);
    const stranger = await registerBuyer(t.http);
    const started = await t.http.post(`/purchase/${product.id}`).set(buyer.auth).expect(201);
    await t.http
      .post(`${new URL(started.body.checkoutUrl).pathname}/pay`)
      .type('form')
      .send({ outcome: 'success' })
      .expect(303);

    const denied = await t.http.get(`/download/${product.id}`).set(stranger.auth).expect(403);
    expect(denied.body.code).toBe('NOT_PURCHASED');

    const link = await t.http.get(`/download/${product.id}`).set(buyer.auth).expect(200);
    expect(link.body.url.startsWith(fake.url)).toBe(true);
    expect(link.body).toMatchObject({ filename: name, size: 50_000, expiresIn: 2 });
    const res = await fetch(link.body.url);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(bytes));
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
    );

    // Dead after its lifetime: the storage server refuses the expired signature.
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const late = await fetch(link.body.url);
    expect(late.status).toBe(400);
    expect(((await late.json()) as { error?: string; code?: string }).error ?? '').toMatch(
      /InvalidJWT/,
    );
  });
});
