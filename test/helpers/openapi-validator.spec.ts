import { describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { openApiValidator } from './openapi-validator.js';

const response = (status: number, contentType: string, body: unknown, text?: string) =>
  ({
    status,
    headers: { 'content-type': contentType },
    body,
    text: text ?? JSON.stringify(body),
  }) as unknown as Response;

const id = '0b8f3a2e-4a4b-4c6e-8f0a-2b1c3d4e5f60';

describe('openApiValidator', () => {
  const validator = openApiValidator();
  const check = (method: string, url: string, res: Response) => () =>
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
});
