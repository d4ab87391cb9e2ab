import { createHash } from 'node:crypto';
import type { Response } from 'express';

/**
 * A JSON answer serialised once and sent many times as is: for hot reads whose body is cached,
 * so neither JSON.stringify, nor the text's UTF-8 encoding, nor the ETag's hash runs per request.
 */
export class SerializedJson {
  /** The weak ETag Express's default `etag fn` would compute for these bytes. */
  readonly etag: string;
  /** The UTF-8 bytes that go out. */
  readonly bytes: Buffer;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'utf8');
    const hash = createHash('sha1').update(this.bytes).digest('base64').substring(0, 27);
    this.etag = `W/"${this.bytes.length.toString(16)}-${hash}"`;
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  static of(value: unknown): SerializedJson {
    return new SerializedJson(JSON.stringify(value));
  }
}

/**
 * Sends `body` from a handler that takes `@Res()`: its headers, then the bytes as they are, through
 * Express's `res.send`, which adds Content-Length and answers 304 to a matching If-None-Match (and
 * headers only to HEAD), as for any JSON answer.
 */
export function sendSerialized(res: Response, body: SerializedJson): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', body.etag);
  res.send(body.bytes);
}
