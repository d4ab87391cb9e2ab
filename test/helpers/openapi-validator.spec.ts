import { createServer, type Server } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import {
  type CheckedResponse,
  findings,
  openApiValidator,
  takeViolations,
  watchResponses,
} from './openapi-validator.js';

const response = (
  status: number,
  contentType: string,
  body: unknown,
  text?: string,
): CheckedResponse => ({
  status,
  headers: { 'content-type': contentType },
  body,
  text: text ?? JSON.stringify(body),
});

const id = '0b8f3a2e-4a4b-4c6e-8f0a-2b1c3d4e5f60';

describe('openApiValidator', () => {
  const validator = openApiValidator();
  const check = (method: string, url: string, res: CheckedResponse) => () =>
    validator.check(method, url, res);
  const error = { statusCode: 404, code: 'NOT_FOUND', message: 'Product not found' };

  it('passes a documented status, content type and body', () => {
    expect(
      check('GET', `/products/${id}?x=1`, response(404, 'application/json', error)),
    ).not.toThrow();
  });

  it('fails an undocumented status, naming method, path and status', () => {
    expect(check('GET', '/products/abc', response(418, 'application/json', error))).toThrow(
      /GET \/products\/\{id\} \(\/products\/abc\) answered 418: status 418 is not documented/,
    );
  });

  it('fails an undocumented content type', () => {
    expect(check('GET', '/products/abc', response(404, 'text/html', null, '<p>no</p>'))).toThrow(
      /Content-Type text\/html, which is not documented for 404/,
    );
  });

  it('fails a body that breaks the schema, with the schema error', () => {
    expect(
      check('GET', '/products/abc', response(404, 'application/json', { statusCode: '404' })),
    ).toThrow(/does not match the documented schema: .*required/);
  });

  it('fails a method the document does not have for a path', () => {
    expect(check('DELETE', '/products', response(200, 'application/json', {}))).toThrow(
      /documents no DELETE/,
    );
  });

  it('wants a path outside the document to be a 404 in the error shape', () => {
    expect(check('GET', '/no/such/route', response(404, 'application/json', error))).not.toThrow();
    expect(check('GET', '/no/such/route', response(200, 'application/json', {}))).toThrow(
      /GET \/no\/such\/route answered 200: not a route of openapi.json, yet not a 404/,
    );
    expect(
      check('GET', '/no/such/route', response(404, 'text/html', undefined, '<p>Not found</p>')),
    ).toThrow(/does not match the documented schema/);
    // The storefront and Swagger UI are not the API: the document does not describe them.
    expect(validator.check('GET', '/app/library', response(200, 'text/html', undefined))).toBe(
      'outside',
    );
    expect(validator.check('GET', '/docs-json', response(200, 'application/json', {}))).toBe(
      'outside',
    );
  });
});

describe(watchResponses.name, () => {
  /** A server that answers every request with `answer`, watched as the app's server is. */
  async function serve(answer: (res: import('node:http').ServerResponse) => void) {
    const server: Server = createServer((_req, res) => answer(res));
    watchResponses(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { server, base: `http://127.0.0.1:${port}` };
  }

  it('checks answers to any client (here fetch), status, type and body', async () => {
    const { server, base } = await serve((res) => {
      if (res.req.url === '/health') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ status: 'ok' }));
      } else if (res.req.url === '/products') {
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        // Written in two chunks, as a stream would: both are read.
        res.write('{"items": "not a list", ');
        res.end('"nextCursor": null}');
      } else if (res.req.url === '/health/ready') {
        res.statusCode = 418;
        res.end();
      } else {
        res.setHeader('Content-Type', 'text/html');
        res.end('<p>hello</p>');
      }
    });
    try {
      const before = findings().checked;
      for (const path of ['/health', '/products', '/health/ready', '/me']) {
        await (await fetch(`${base}${path}`)).arrayBuffer();
      }
      // 'finish' on the server side may come a tick after the client has read the answer.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const found = takeViolations();
      expect(found).toEqual([
        expect.stringMatching(/^GET \/products .*answered 200: the body does not match.*items/),
        expect.stringMatching(/^GET \/health\/ready .*answered 418: status 418 is not documented/),
        expect.stringMatching(/^GET \/me .*answered 200 with Content-Type text\/html/),
      ]);
      expect(findings().checked - before).toBe(4);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says when a JSON answer is not JSON', async () => {
    const { server, base } = await serve((res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"status": ');
    });
    try {
      await (await fetch(`${base}/health`)).arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(takeViolations()).toEqual([
        expect.stringMatching(/^GET \/health answered 200 with a body that is not JSON/),
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
