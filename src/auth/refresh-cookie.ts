import type { CookieOptions, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';

export const REFRESH_COOKIE = 'refresh_token';

/**
 * The refresh token as a cookie for browser apps: HttpOnly (no script reads it), SameSite=Strict
 * (no other site's page sends it), Secure on https, and sent only to POST /refresh.
 */
function cookieOptions(config: AppConfig): CookieOptions {
  const base = new URL(config.publicUrl);
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: base.protocol === 'https:',
    path: `${base.pathname.replace(/\/+$/, '')}/refresh`,
  };
}

export function setRefreshCookie(
  res: Response,
  config: AppConfig,
  token: string,
  maxAgeSeconds: number,
): void {
  res.cookie(REFRESH_COOKIE, token, { ...cookieOptions(config), maxAge: maxAgeSeconds * 1000 });
  // The answer that sets it carries the tokens too (RFC 6749 5.1): never stored by a cache.
  res.setHeader('Cache-Control', 'no-store');
}

export function clearRefreshCookie(res: Response, config: AppConfig): void {
  res.clearCookie(REFRESH_COOKIE, cookieOptions(config));
}

/** The refresh cookie's value, read from the Cookie header (no cookie parser runs on every route). */
export function readRefreshCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === REFRESH_COOKIE) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}
