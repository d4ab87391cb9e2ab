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
      '/plain/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: '' }, '400': { description: 'mine' } },
        },
      },
    },
    components: {
      schemas: {
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
  const paths = completeDocument(document()).paths;

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
    const doc = completeDocument(document());
    const thing = doc.components?.schemas?.Thing as { properties: Record<string, unknown> };
    expect(thing.properties.role).toEqual({ $ref: '#/components/schemas/Role' });
    expect(thing.properties.kept).toHaveProperty('allOf');
  });
});
