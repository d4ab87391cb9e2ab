import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { applyFixedHeaders, recordFixedHeaders } from './fixed-headers.js';

type Next = (error?: unknown) => void;

/** A response that keeps what is set on it, as Node's does. */
function fakeResponse() {
  const headers = new Map<string, unknown>([['x-powered-by', 'Express']]);
  return {
    headers,
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
}

describe(recordFixedHeaders.name, () => {
  it('replays exactly what helmet sets and removes', () => {
    const middleware = helmet({ xFrameOptions: { action: 'deny' } });
    const byHelmet = fakeResponse();
    middleware({} as IncomingMessage, byHelmet as unknown as ServerResponse, () => undefined);
    const replayed = fakeResponse();
    applyFixedHeaders(replayed as unknown as ServerResponse, recordFixedHeaders(middleware));
    expect([...replayed.headers]).toEqual([...byHelmet.headers]);
    expect(replayed.headers.get('x-frame-options')).toBe('DENY');
    expect(replayed.headers.has('x-powered-by')).toBe(false);
  });

  it('refuses a middleware whose headers depend on the request', () => {
    const byPath = (req: IncomingMessage, res: ServerResponse, next: Next) => {
      res.setHeader('X-Path', req.url ?? '');
      next();
    };
    expect(() => recordFixedHeaders(byPath)).toThrow(/req\.url/);
  });

  it('refuses a middleware that fails or does not go on at once', () => {
    const failing = (_req: IncomingMessage, _res: ServerResponse, next: Next) =>
      next(new Error('no'));
    expect(() => recordFixedHeaders(failing)).toThrow('no');
    const later = (_req: IncomingMessage, _res: ServerResponse, next: Next) => {
      setTimeout(next, 0);
    };
    expect(() => recordFixedHeaders(later)).toThrow(/did not call next/);
  });
});
