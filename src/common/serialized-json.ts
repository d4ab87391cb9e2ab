import { createHash } from 'node:crypto';
import type { Response } from 'express';

/**
 * A JSON answer serialised once and sent many times as is: for hot reads whose body is cached,
 * so neither JSON.stringify nor the ETag's hash runs per request.
 */
export class SerializedJson {
  /** The weak ETag Express's default `etag fn` would compute for these bytes. */
  readonly etag: string;

  constructor(readonly text: string) {
    const hash = createHash('sha1').update(text, 'utf8').digest('base64').substring(0, 27);
    this.etag = `W/"${Buffer.byteLength(text, 'utf8').toString(16)}-${hash}"`;
  }

  static of(value: unknown): SerializedJson {
    return new SerializedJson(JSON.stringify(value));
  }
}

/**
 * Sets the headers of `body` and returns its text for Nest to send: Express's `res.send` then
 * adds Content-Length and answers 304 to a matching If-None-Match, as for any JSON answer.
 */
export function sendSerialized(res: Response, body: SerializedJson): string {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', body.etag);
  return body.text;
}
