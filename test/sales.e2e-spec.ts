import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import {
  insertProduct,
  insertPurchases,
  insertUser,
  type PurchaseInput,
} from './helpers/stats-factories.js';
import { parseCsv } from './helpers/stats-reference.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const HEADER = [
  'purchaseId',
  'productId',
  'productTitle',
  'buyerEmail',
  'amountCents',
  'currency',
  'status',
  'refundedCents',
  'paidAt',
  'feeCents',
  'earningsCents',
];

interface Sale {
  purchaseId: string;
  productId: string;
  productTitle: string;
  buyerEmail: string;
  amountCents: number;
  currency: string;
  status: string;
  refundedCents: number;
  feeCents: number;
  earningsCents: number;
  paidAt: string;
}

const errorShape = (statusCode: number, code: string) => ({
  statusCode,
  code,
  message: expect.any(String),
});

// What a spreadsheet-safe cell holds for a value: formulas get a leading apostrophe.
const safe = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

describe('GET /creator/sales', () => {
  let t: TestApp;
  let creator: Account;
  let rival: Account;
  let buyer: Account;

  beforeAll(async () => {
    t = await createTestApp();
    creator = await registerCreator(t.http);
    rival = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM purchases');
    await t.dataSource.query('DELETE FROM products');
  });

  const list = (query: Record<string, string>, who: Account = creator) =>
    t.http.get('/creator/sales').query(query).set(who.auth);

  async function allPages(query: Record<string, string>, who = creator): Promise<Sale[]> {
    const items: Sale[] = [];
    let cursor: string | null = null;
    do {
      const res = await list({ ...query, ...(cursor ? { cursor } : {}) }, who).expect(200);
      items.push(...(res.body.items as Sale[]));
      cursor = res.body.nextCursor as string | null;
    } while (cursor !== null);
    return items;
  }

  async function csv(query: Record<string, string> = {}, who = creator) {
    return list({ ...query, format: 'csv' }, who)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      })
      .expect(200);
  }

  /** A product of `creatorId` with `count` paid sales, one a minute from `start`. */
  async function seed(creatorId: string, count: number, start = '2025-03-01T10:00:00Z') {
    const productId = await insertProduct(t.dataSource, { creatorId, title: 'Presets' });
    const rows: PurchaseInput[] = [];
    for (let i = 0; i < count; i++) {
      rows.push({
        buyerId: await insertUser(t.dataSource, 'buyer'),
        productId,
        amountCents: 100 * (i + 1),
        currency: i % 2 === 0 ? 'usd' : 'jpy',
        status: 'paid',
        paidAt: new Date(Date.parse(start) + i * 60_000),
      });
    }
    return { productId, purchases: await insertPurchases(t.dataSource, rows) };
  }

  describe('who may call it', () => {
    it('answers 401 without a token, also for CSV', async () => {
      const res = await t.http.get('/creator/sales').expect(401);
      expect(res.body).toEqual(errorShape(401, 'UNAUTHENTICATED'));
      await t.http.get('/creator/sales').set('Accept', 'text/csv').expect(401);
    });

    it('answers 403 to a buyer', async () => {
      const res = await list({}, buyer).expect(403);
      expect(res.body).toEqual(errorShape(403, 'FORBIDDEN_ROLE'));
      await list({ format: 'csv' }, buyer).expect(403);
    });

    it('never shows another creator’s sales, in JSON or CSV', async () => {
      await seed(rival.id, 3);
      const mine = await seed(creator.id, 2);
      const items = await allPages({});
      expect(items.map((s) => s.purchaseId).sort()).toEqual(mine.purchases.map((p) => p.id).sort());
      const rows = parseCsv((await csv()).body as string);
      expect(rows.length).toBe(3);
      expect(rows.slice(1).every((r) => r[1] === mine.productId)).toBe(true);
    });
  });

  describe('bad input', () => {
    it.each([
      [{ cursor: 'not-a-cursor' }, 'cursor'],
      [{ cursor: Buffer.from('["x","y"]').toString('base64url') }, 'cursor'],
      [{ cursor: Buffer.from('{"a":1}').toString('base64url') }, 'cursor'],
      [
        {
          cursor: Buffer.from(
            JSON.stringify(['2025-13-45T99:00:00.000000Z', '00000000-0000-4000-8000-000000000000']),
          ).toString('base64url'),
        },
        'cursor',
      ],
      [{ tz: 'Nowhere/Land' }, 'tz'],
      [{ from: '2025-02-29' }, 'from'],
      [{ from: '2025-03-02', to: '2025-03-01' }, 'from'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ format: 'xml' }, 'format'],
    ])('refuses %j (400 VALIDATION_FAILED on %s)', async (query, field) => {
      const res = await list(query).expect(400);
      expect(res.body).toMatchObject(errorShape(400, 'VALIDATION_FAILED'));
      expect(res.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it('refuses a bad cursor for CSV too, before sending anything', async () => {
      const res = await list({ format: 'csv', tz: 'Nowhere/Land' }).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/json/);
    });
  });

  it('lists paid purchases only, newest first, with the purchase’s own figures', async () => {
    const productId = await insertProduct(t.dataSource, {
      creatorId: creator.id,
      title: 'Ebook',
      priceCents: 9999,
      currency: 'eur',
    });
    const buyerId = await insertUser(t.dataSource, 'buyer', 'ada+list@example.com');
    const [refunded, open] = await insertPurchases(t.dataSource, [
      {
        buyerId,
        productId,
        amountCents: 1500,
        currency: 'usd',
        status: 'refunded',
        refundedCents: 1500,
        disputeStatus: 'lost',
        paidAt: '2025-03-01T10:00:00Z',
      },
      { buyerId, productId, amountCents: 1500, currency: 'usd', status: 'pending' },
    ]);
    expect(open.status).toBe('pending');
    const res = await list({}).expect(200);
    expect(res.body).toEqual({
      items: [
        {
          purchaseId: refunded.id,
          productId,
          productTitle: 'Ebook',
          buyerEmail: 'ada+list@example.com',
          amountCents: 1500,
          currency: 'usd',
          status: 'refunded',
          refundedCents: 1500,
          // Platform payouts mode: no fee, the creator keeps the net.
          feeCents: 0,
          earningsCents: 0,
          paidAt: '2025-03-01T10:00:00.000Z',
        },
      ],
      nextCursor: null,
    });
  });

  it('pages by cursor without losing or repeating a sale, ties and microseconds included', async () => {
    const productId = await insertProduct(t.dataSource, { creatorId: creator.id });
    const other = await insertProduct(t.dataSource, { creatorId: creator.id });
    const rows: PurchaseInput[] = [];
    // Same instant for several sales, and instants a JavaScript Date cannot tell apart.
    const times = [
      '2025-03-01T10:00:00Z',
      '2025-03-01T10:00:00Z',
      '2025-03-01T10:00:00Z',
      '2025-03-01T10:00:00.000001Z',
      '2025-03-01T10:00:00.000002Z',
      '2025-03-01T10:00:00.000999Z',
      '2025-03-01T09:59:59.999999Z',
    ];
    for (const [i, paidAt] of times.entries()) {
      rows.push({
        buyerId: await insertUser(t.dataSource, 'buyer'),
        productId: i % 2 === 0 ? productId : other,
        amountCents: 100,
        currency: 'usd',
        status: 'paid',
        paidAt,
      });
    }
    const inserted = await insertPurchases(t.dataSource, rows);
    const expected = (
      await t.dataSource.query<{ id: string }[]>(
        `SELECT id FROM purchases ORDER BY paid_at DESC, id DESC`,
      )
    ).map((r) => r.id);
    expect(expected.length).toBe(inserted.length);
    for (const limit of ['1', '2', '3', '100']) {
      const items = await allPages({ limit });
      expect(items.map((s) => s.purchaseId)).toEqual(expected);
    }
  });

  it('filters on the payment day in the zone asked for', async () => {
    const { purchases } = await seed(creator.id, 3, '2025-03-02T03:29:00Z');
    // 03:29, 03:30 and 03:31 UTC on 2 March: in St John's (-3:30) the first is still 1 March.
    const onFirst = await allPages({ to: '2025-03-01', tz: 'America/St_Johns' });
    expect(onFirst.map((s) => s.purchaseId)).toEqual([purchases[0].id]);
    const onSecond = await allPages({ from: '2025-03-02', tz: 'America/St_Johns' });
    expect(onSecond.map((s) => s.purchaseId)).toEqual([purchases[2].id, purchases[1].id]);
    expect((await allPages({ from: '2025-03-02' })).length).toBe(3);
  });

  describe('CSV', () => {
    it('answers with the same rows as the JSON list, as a spreadsheet-safe attachment', async () => {
      const titles = [
        '=HYPERLINK("http://evil.example","click")',
        'Presets, vol. 2',
        'The "best" pack',
        'Line one\nline two\r\nline three',
        '+1 bonus',
        '-50% pack',
        '@home',
        '\tTabbed',
        'Ünïcödé ✓',
      ];
      const emails = ['ada+shop@example.com', '+plus@example.com', '-minus@example.com'];
      const rows: PurchaseInput[] = [];
      for (const [i, title] of titles.entries()) {
        const productId = await insertProduct(t.dataSource, { creatorId: creator.id, title });
        rows.push({
          buyerId: await insertUser(
            t.dataSource,
            'buyer',
            i < emails.length ? emails[i] : undefined,
          ),
          productId,
          amountCents: i === 0 ? 0 : 1234 * i,
          currency: i % 3 === 0 ? 'jpy' : 'usd',
          status: i === 1 ? 'refunded' : 'paid',
          refundedCents: i === 1 ? 1234 : 0,
          paidAt: new Date(Date.parse('2025-03-01T00:00:00Z') + i * 3_600_000),
        });
      }
      await insertPurchases(t.dataSource, rows);

      const res = await csv();
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="sales-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const text = res.body as string;
      expect(text.startsWith(`${HEADER.join(',')}\r\n`)).toBe(true);
      expect(text.endsWith('\r\n')).toBe(true);
      // Raw bytes for the tricky cells.
      expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
      expect(text).toContain('"Presets, vol. 2"');
      expect(text).toContain('"The ""best"" pack"');
      expect(text).toContain('"Line one\nline two\r\nline three"');
      expect(text).toContain(",'+plus@example.com,");
      expect(text).toContain(',ada+shop@example.com,');

      const parsed = parseCsv(text);
      expect(parsed[0]).toEqual(HEADER);
      const items = await allPages({ limit: '4' });
      expect(items.length).toBe(titles.length);
      expect(parsed.slice(1)).toEqual(
        items.map((s) => HEADER.map((key) => safe(String(s[key as keyof Sale])))),
      );

      // Accept: text/csv gives the same file; format=json wins over Accept.
      const byAccept = await t.http
        .get('/creator/sales')
        .set(creator.auth)
        .set('Accept', 'text/csv')
        .buffer(true)
        .parse((r, done) => {
          let body = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (body += c));
          r.on('end', () => done(null, body));
        })
        .expect(200);
      expect(byAccept.body).toBe(text);
      const json = await t.http
        .get('/creator/sales')
        .query({ format: 'json' })
        .set(creator.auth)
        .set('Accept', 'text/csv')
        .expect(200);
      expect(json.body.items.length).toBe(titles.length);
    });

    it('keeps to the filters and is a header alone when nothing matches', async () => {
      await seed(creator.id, 3, '2025-03-01T10:00:00Z');
      const none = await csv({ from: '2025-04-01' });
      expect(none.body).toBe(`${HEADER.join(',')}\r\n`);
      const some = parseCsv((await csv({ from: '2025-03-01', to: '2025-03-01' })).body as string);
      expect(some.length).toBe(4);
    });

    it('streams a large export, every row once', async () => {
      const productId = await insertProduct(t.dataSource, { creatorId: creator.id });
      const total = 20_000;
      // One buyer per sale (the database allows one live purchase per buyer and product).
      await t.dataSource.query(
        `WITH b AS (
          INSERT INTO users (email, password_hash, role, display_name)
          SELECT 'bulk-' || i || '@example.com', 'x', 'buyer', 'bulk' FROM generate_series(1, $1) i
          RETURNING id
        )
        INSERT INTO purchases (buyer_id, product_id, amount_cents, currency, status, provider, paid_at)
        SELECT b.id, $2, 500, 'usd', 'paid', 'simulated',
          timestamptz '2025-03-01' + (row_number() OVER ()) * interval '1 second'
        FROM b`,
        [total, productId],
      );
      const res = await csv();
      const lines = (res.body as string).split('\r\n');
      expect(lines.length).toBe(total + 2);
      expect(lines[total + 1]).toBe('');
      const ids = new Set(lines.slice(1, -1).map((l) => l.split(',')[0]));
      expect(ids.size).toBe(total);
      // The newest first, like the list.
      // ... paidAt, feeCents, earningsCents (no fee in platform payouts mode).
      expect(
        lines[1].endsWith(
          `,${new Date(Date.parse('2025-03-01T00:00:00Z') + total * 1000).toISOString()},0,500`,
        ),
      ).toBe(true);
    });

    it('lets go of the database when the client leaves mid-file', async () => {
      const productId = await insertProduct(t.dataSource, { creatorId: creator.id });
      await t.dataSource.query(
        `WITH b AS (
          INSERT INTO users (email, password_hash, role, display_name)
          SELECT 'gone-' || i || '@example.com', 'x', 'buyer', 'gone' FROM generate_series(1, 5000) i
          RETURNING id
        )
        INSERT INTO purchases (buyer_id, product_id, amount_cents, currency, status, provider, paid_at)
        SELECT b.id, $1, 500, 'usd', 'paid', 'simulated', now() FROM b`,
        [productId],
      );
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest(`${t.baseUrl}/creator/sales?format=csv`, {
            headers: creator.auth,
          });
          req.on('response', (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', reject);
          req.end();
        });
      }
      // With the embedded database (one connection), a connection left held would hang these.
      await list({}).expect(200);
      await t.http.get('/creator/stats').set(creator.auth).expect(200);
    });

    it('holds no connection or transaction while a client does not read the file', async () => {
      // Long titles and emails make each line about 500 bytes, so a few megabytes of kernel
      // socket buffers fill up well before the end of the export.
      const productId = await insertProduct(t.dataSource, {
        creatorId: creator.id,
        title: 'T'.repeat(200),
      });
      await t.dataSource.query(
        `WITH b AS (
          INSERT INTO users (email, password_hash, role, display_name)
          SELECT 'stall-' || i || '-' || repeat('x', 200) || '@example.com', 'x', 'buyer', 'stall'
          FROM generate_series(1, 30000) i
          RETURNING id
        )
        INSERT INTO purchases (buyer_id, product_id, amount_cents, currency, status, provider, paid_at)
        SELECT b.id, $1, 500, 'usd', 'paid', 'simulated',
          timestamptz '2025-03-01' + (row_number() OVER ()) * interval '1 second'
        FROM b`,
        [productId],
      );
      // As many stalled exports as the pool has connections (one on the embedded database).
      const stalled = t.config.database.poolSize + (t.database.embedded ? 0 : 1);
      const responses: ServerResponse[] = [];
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        if (req.url?.includes('format=csv') === true) responses.push(res);
      };
      const server = t.app.getHttpServer();
      server.on('request', onRequest);
      const sockets: Socket[] = [];
      try {
        for (let i = 0; i < Math.max(1, stalled); i++)
          sockets.push(stallingClient(t.baseUrl, creator));
        // Wait until every export is stuck on a full socket (its response cannot take more).
        const deadline = Date.now() + 45_000;
        while (
          responses.length < sockets.length ||
          responses.some((r) => !r.writableNeedDrain && !r.writableFinished)
        ) {
          if (Date.now() > deadline) throw new Error('the exports never filled their sockets');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(responses.every((r) => !r.writableFinished)).toBe(true);

        // Every database route still answers, and readiness still sees the database.
        await list({}).expect(200);
        await t.http.get('/creator/products').set(creator.auth).expect(200);
        await t.http.get('/mypurchases').set(buyer.auth).expect(200);
        const ready = await t.http.get('/health/ready').expect(200);
        expect(ready.body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' } } });
        if (!t.database.embedded) {
          const busy = await t.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND (state LIKE 'idle in transaction%' OR state = 'active')`,
          );
          expect(busy[0].n).toBe(0);
        }
        // Still stalled: what answered above did not wait for the exports to end.
        expect(responses.every((r) => !r.writableFinished)).toBe(true);
      } finally {
        server.off('request', onRequest);
        for (const socket of sockets) socket.destroy();
      }
    });
  });
});

/** Asks for the CSV over a raw socket and never reads the answer. */
function stallingClient(baseUrl: string, who: Account): Socket {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  socket.write(
    `GET /creator/sales?format=csv HTTP/1.1\r\nHost: ${url.host}\r\n` +
      `Authorization: ${who.auth.Authorization}\r\n\r\n`,
  );
  // Paused: the few kilobytes Node reads ahead stay unread, then the kernel window closes.
  socket.pause();
  return socket;
}
