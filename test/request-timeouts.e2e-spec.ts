import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { snapshotTables } from './helpers/db-snapshot.js';
import { type Account, registerBuyer, registerCreator } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { startUpload, tusHeaders } from './helpers/tus.js';
import { countProducts, multipart, pdf } from './helpers/uploads.js';

const LIMIT_SECONDS = 2;
// One piece every 250 ms: a body of 16 pieces takes 4 s, twice the limit.
const PACE_MS = 250;
const PIECES = 16;

interface RawResult {
  /** Everything the server sent before it closed the connection. */
  text: string;
  status: number;
  body: unknown;
  /** Milliseconds from the first byte sent to the connection's close. */
  closedAfter: number;
  /** How many pieces had been sent when the connection closed. */
  piecesSent: number;
}

/**
 * Sends `head` (the request line and headers, possibly unfinished) and then each piece after
 * PACE_MS, as a client on a slow or hostile link would, and reads until the server closes.
 */
function drip(t: TestApp, head: string, pieces: (string | Buffer)[]): Promise<RawResult> {
  const { port } = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const started = Date.now();
    const received: Buffer[] = [];
    let piecesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(received).toString('utf8');
      const [headers, ...rest] = text.split('\r\n\r\n');
      const payload = rest.join('\r\n\r\n');
      let body: unknown = payload;
      try {
        body = JSON.parse(payload);
      } catch {
        // not JSON: kept as text
      }
      resolve({
        text,
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0),
        body,
        closedAfter: Date.now() - started,
        piecesSent,
      });
    });
    socket.write(head);
    const next = () => {
      if (socket.destroyed || piecesSent === pieces.length) {
        // Everything sent: the server answers and, with Connection: close, ends the connection.
        return;
      }
      timer = setTimeout(() => {
        if (socket.destroyed) return;
        socket.write(pieces[piecesSent]);
        piecesSent += 1;
        next();
      }, PACE_MS);
    };
    next();
    socket.on('connect', () => undefined);
    socket.setTimeout(60_000, () => reject(new Error('the server never closed the connection')));
  });
}

/** `body` cut into PIECES pieces. */
const piecesOf = (body: Buffer): Buffer[] => {
  const size = Math.ceil(body.length / PIECES);
  return Array.from({ length: PIECES }, (_, i) => body.subarray(i * size, (i + 1) * size));
};

const headOf = (method: string, path: string, headers: Record<string, string | number>) =>
  `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('') +
  '\r\n';

describe('request timeouts', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  let creator: Account;
  let buyer: Account;

  beforeAll(async () => {
    t = await createTestApp({
      HEADERS_TIMEOUT_SECONDS: String(LIMIT_SECONDS),
      REQUEST_TIMEOUT_SECONDS: String(LIMIT_SECONDS),
    });
    creator = await registerCreator(t.http);
    buyer = await registerBuyer(t.http);
  });
  afterAll(async () => {
    await t.close();
  });

  it('cuts a body dripped to /login after REQUEST_TIMEOUT_SECONDS with 408, and does nothing', async () => {
    const body = Buffer.from(JSON.stringify({ email: buyer.email, password: buyer.password }));
    const before = await snapshotTables(t.dataSource);
    const res = await drip(
      t,
      headOf('POST', '/login', {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
      }),
      piecesOf(body),
    );
    expect({ status: res.status, body: res.body }).toEqual({
      status: 408,
      body: {
        statusCode: 408,
        code: 'REQUEST_TIMEOUT',
        message: `The request body did not arrive within ${LIMIT_SECONDS} s`,
      },
    });
    expect(res.text).toMatch(/\r\nConnection: close\r\n/i);
    // Cut at the limit, while the body was still arriving.
    expect(res.closedAfter).toBeGreaterThanOrEqual(LIMIT_SECONDS * 1000);
    expect(res.piecesSent).toBeLessThan(PIECES);
    expect(await snapshotTables(t.dataSource)).toEqual(before);
  });

  it('cuts a body dripped to a route that reads none (GET /health, POST /logout) alike', async () => {
    for (const [method, path, auth] of [
      ['GET', '/health', {}],
      ['POST', '/logout', buyer.auth],
    ] as const) {
      const body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(64) }));
      const res = await drip(
        t,
        headOf(method, path, {
          ...auth,
          'Content-Type': 'application/json',
          'Content-Length': body.length,
        }),
        piecesOf(body),
      );
      expect({ path, status: res.status, code: (res.body as { code?: string }).code }).toEqual({
        path,
        status: 408,
        code: 'REQUEST_TIMEOUT',
      });
      expect(res.piecesSent).toBeLessThan(PIECES);
    }
  });

  it('answers a body that arrives within the limit as usual', async () => {
    const body = Buffer.from(JSON.stringify({ email: buyer.email, password: 'wrong password' }));
    const res = await drip(
      t,
      headOf('POST', '/login', {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
      }),
      // 4 pieces: 1 s.
      [0, 1, 2, 3].map((i) => body.subarray((i * body.length) / 4, ((i + 1) * body.length) / 4)),
    );
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: expect.objectContaining({ code: 'INVALID_CREDENTIALS' }),
    });
  });

  it('lets an upload take longer at the same pace: POST /creator/upload', async () => {
    const productsBefore = await countProducts(t);
    const { body, contentType } = multipart([
      { name: 'title', value: 'Slow link' },
      { name: 'priceCents', value: '500' },
      { name: 'file', filename: 'slow.pdf', content: pdf('x'.repeat(4000)) },
    ]);
    const res = await drip(
      t,
      headOf('POST', '/creator/upload', {
        ...creator.auth,
        'Content-Type': contentType,
        'Content-Length': body.length,
      }),
      piecesOf(body),
    );
    expect({ status: res.status, body: res.body }).toEqual({
      status: 201,
      body: expect.objectContaining({ title: 'Slow link' }),
    });
    expect(res.closedAfter).toBeGreaterThan(LIMIT_SECONDS * 1000);
    expect(await countProducts(t)).toBe(productsBefore + 1);
  });

  it('lets an upload take longer at the same pace: a tus PATCH', async () => {
    const data = pdf('y'.repeat(4000));
    const session = await startUpload(t, creator, { fileName: 'slow.pdf', size: data.length });
    const path = new URL(session.tusEndpoint).pathname;
    const created = await drip(
      t,
      headOf('POST', path, { ...tusHeaders(creator), 'Upload-Length': data.length }),
      [],
    );
    expect(created.status).toBe(201);
    const res = await drip(
      t,
      headOf('PATCH', path, {
        ...tusHeaders(creator),
        'Upload-Offset': 0,
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': data.length,
      }),
      piecesOf(data),
    );
    expect(res.status).toBe(204);
    expect(res.closedAfter).toBeGreaterThan(LIMIT_SECONDS * 1000);
    const status = await t.http.get(`/creator/uploads/${session.id}`).set(creator.auth);
    expect(status.body).toMatchObject({ receivedBytes: data.length });
  });

  it('keeps the short limit for an upload route that refuses the caller', async () => {
    const { body, contentType } = multipart([
      { name: 'title', value: 'Not yours' },
      { name: 'priceCents', value: '500' },
      { name: 'file', filename: 'x.pdf', content: pdf('z'.repeat(4000)) },
    ]);
    const res = await drip(
      t,
      headOf('POST', '/creator/upload', {
        ...buyer.auth,
        'Content-Type': contentType,
        'Content-Length': body.length,
      }),
      piecesOf(body),
    );
    // Answered before the body was read; the connection does not wait for the rest of it.
    expect(res.status).toBe(403);
    expect(res.piecesSent).toBeLessThan(PIECES);
  });

  it('cuts headers slower than HEADERS_TIMEOUT_SECONDS with 408 in the error shape', async () => {
    const lines = Array.from({ length: PIECES }, (_, i) => `X-Slow-${i}: ${i}\r\n`);
    const res = await drip(t, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', [...lines, '\r\n']);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 408,
      body: {
        statusCode: 408,
        code: 'REQUEST_TIMEOUT',
        message: expect.stringContaining(`headers: ${LIMIT_SECONDS} s`),
      },
    });
    expect(res.closedAfter).toBeGreaterThanOrEqual(LIMIT_SECONDS * 1000);
    expect(res.piecesSent).toBeLessThan(PIECES);
  });

  it('answers malformed HTTP and oversized headers in the error shape', async () => {
    const bad = await drip(t, 'GET /health HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n', []);
    expect({ status: bad.status, body: bad.body }).toEqual({
      status: 400,
      body: { statusCode: 400, code: 'MALFORMED_REQUEST', message: expect.any(String) },
    });
    const big = await drip(
      t,
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      [],
    );
    expect({ status: big.status, body: big.body }).toEqual({
      status: 431,
      body: { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: expect.any(String) },
    });
  });
});
