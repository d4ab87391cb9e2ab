import { describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import { completeDocument } from './swagger.js';

function document(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/public': {
        post: {
          requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '201': { description: '' } },
        },
      },
      '/private': {
        get: {
          security: [{ bearer: [] }],
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
          responses: { '200': { description: '' }, '401': { description: 'no token' } },
        },
      },
      '/body': {
        post: {
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } },
          },
          responses: {
            '201': {
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Out' } } },
              description: '',
            },
          },
        },
      },
      '/file/{token}': {
        get: {
          operationId: 'Files_download',
          summary: 'Download',
          responses: {
            '200': {
              description: 'The file',
              content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
            },
            '410': { description: 'Expired' },
          },
        },
      },
      '/plain/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: '' }, '400': { description: 'mine' } },
        },
      },
    },
    components: {
      schemas: {
        Body: {
          type: 'object',
          properties: {
            currency: { type: 'string', example: 'usd' },
            nested: { $ref: '#/components/schemas/Nested' },
          },
        },
        Nested: { type: 'object', properties: { a: { type: 'string' } } },
        Out: { type: 'object', properties: { currency: { type: 'string' } } },
        Thing: {
          type: 'object',
          properties: {
            role: { allOf: [{ $ref: '#/components/schemas/Role' }] },
            kept: { allOf: [{ $ref: '#/components/schemas/Role' }], description: 'x' },
          },
        },
      },
    },
  };
}

describe(completeDocument.name, () => {
  const paths = completeDocument(document(), ['usd', 'eur']).paths;

  it('marks operations without a security requirement as public, and keeps the others', () => {
    expect(paths['/public'].post?.security).toEqual([]);
    expect(paths['/private'].get?.security).toEqual([{ bearer: [] }]);
  });

  it('adds a 400 to operations with a body or a query, and keeps a declared one', () => {
    expect(paths['/public'].post?.responses['400']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } },
    });
    expect(paths['/private'].get?.responses['400']).toBeDefined();
    expect(paths['/plain/{id}'].get?.responses['400']).toEqual({ description: 'mine' });
  });

  it('unwraps a lone allOf $ref but keeps one with siblings', () => {
    const doc = completeDocument(document(), ['usd', 'eur']);
    const thing = doc.components?.schemas?.Thing as { properties: Record<string, unknown> };
    expect(thing.properties.role).toEqual({ $ref: '#/components/schemas/Role' });
    expect(thing.properties.kept).toHaveProperty('allOf');
  });

  it('closes request body schemas (and those they refer to) and lists the allowed currencies', () => {
    const schemas = completeDocument(document(), ['usd', 'eur']).components?.schemas as Record<
      string,
      { additionalProperties?: boolean; properties: Record<string, { enum?: string[] }> }
    >;
    expect(schemas.Body.additionalProperties).toBe(false);
    expect(schemas.Body.properties.currency.enum).toEqual(['usd', 'eur']);
    expect(schemas.Nested.additionalProperties).toBe(false);
    // A response schema is left as it is: answers may grow new fields.
    expect(schemas.Out.additionalProperties).toBeUndefined();
    expect(schemas.Out.properties.currency.enum).toBeUndefined();
  });

  it('documents HEAD beside every GET, with all its statuses and no bodies', () => {
    const paths = completeDocument(document(), ['usd']).paths;
    const item = paths['/file/{token}'];
    expect(item.head).toMatchObject({
      operationId: 'Files_download_head',
      responses: { '200': { description: 'The file' }, '410': { description: 'Expired' } },
    });
    expect(Object.keys(item.head?.responses ?? {}).sort()).toEqual(
      Object.keys(item.get?.responses ?? {}).sort(),
    );
    for (const response of Object.values(item.head?.responses ?? {})) {
      expect(response).not.toHaveProperty('content');
    }
    // The statuses the GET got from the conventions too, 304 among them.
    expect(paths['/plain/{id}'].head?.responses).toHaveProperty('304');
    expect(paths['/public'].head).toBeUndefined();
  });
});
