import { describe, expect, it } from '@jest/globals';
import express from 'express';
import { SerializedJson } from './serialized-json.js';

describe('SerializedJson', () => {
  // Express computes this ETag for any body it sends: cached answers must keep the same one.
  const expressEtag = express().get('etag fn') as (body: Buffer) => string;

  it.each([
    { items: [], nextCursor: null },
    { items: [{ title: 'Ünïcode 🎉 "quotes" & <tags>', price: 1500 }], nextCursor: 'abc' },
    'x'.repeat(10_000),
  ])('is JSON.stringify of the value, with the ETag Express would give it (%#)', (value) => {
    const body = SerializedJson.of(value);
    expect(body.text).toBe(JSON.stringify(value));
    expect(body.etag).toBe(expressEtag(Buffer.from(body.text, 'utf8')));
  });
});
