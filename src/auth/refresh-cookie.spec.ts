import { describe, expect, it } from '@jest/globals';
import type { CookieOptions, Request, Response } from 'express';
import { loadConfig } from '../config/app-config.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie.js';

const config = (env: Record<string, string>) =>
  loadConfig({ JWT_SECRET: 'x'.repeat(32), DATA_DIR: '/nonexistent/creator-files-spec', ...env });

function capture() {
  const calls: { name: string; value?: string; options: CookieOptions }[] = [];
  const headers: Record<string, string> = {};
  const res = {
    cookie: (name: string, value: string, options: CookieOptions) =>
      calls.push({ name, value, options }),
    clearCookie: (name: string, options: CookieOptions) => calls.push({ name, options }),
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
  } as unknown as Response;
  return { res, calls, headers };
}

describe('refresh cookie', () => {
  it('is HttpOnly, SameSite=Strict, for /refresh only, and not Secure on http', () => {
    const { res, calls, headers } = capture();
    setRefreshCookie(res, config({ PUBLIC_URL: 'http://localhost:3000' }), 'sid.secret', 60);
    expect(calls).toEqual([
      {
        name: 'refresh_token',
        value: 'sid.secret',
        options: {
          httpOnly: true,
          sameSite: 'strict',
          secure: false,
          path: '/refresh',
          maxAge: 60_000,
        },
      },
    ]);
    // The answer that sets it carries the tokens: no cache may keep it.
    expect(headers).toEqual({ 'cache-control': 'no-store' });
  });

  it('is Secure on https, under the path of PUBLIC_URL; clearing uses the same attributes', () => {
    const { res, calls } = capture();
    const https = config({ PUBLIC_URL: 'https://shop.example.com/api/' });
    setRefreshCookie(res, https, 't', 1);
    clearRefreshCookie(res, https);
    const attributes = { httpOnly: true, sameSite: 'strict', secure: true, path: '/api/refresh' };
    expect(calls).toEqual([
      { name: 'refresh_token', value: 't', options: { ...attributes, maxAge: 1000 } },
      { name: 'refresh_token', options: attributes },
    ]);
  });

  it('is read from the Cookie header among others, URL-decoded', () => {
    const req = (cookie?: string) => ({ headers: { cookie } }) as unknown as Request;
    expect(readRefreshCookie(req('a=1; refresh_token=abc%2Edef; b=2'))).toBe('abc.def');
    expect(readRefreshCookie(req('xrefresh_token=1'))).toBeUndefined();
    expect(readRefreshCookie(req())).toBeUndefined();
    expect(readRefreshCookie(req('refresh_token=%E0%A4%A'))).toBe('%E0%A4%A');
  });
});
