import { HttpStatus } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { DomainException } from './domain.exception.js';
import { ErrorCode } from './error-codes.js';

/**
 * A URL the API will send a browser to (after a checkout, after onboarding): only this API or
 * an allowed frontend origin, so no one can use it as an open redirect. Undefined stays undefined.
 */
export function allowedRedirect(
  config: AppConfig,
  value: string | undefined,
  field: string,
): string | undefined {
  if (value === undefined) return undefined;
  const allowed = new Set([new URL(config.publicUrl).origin, ...config.corsOrigins]);
  let origin: string | undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
  } catch {
    origin = undefined;
  }
  if (origin === undefined || !allowed.has(origin)) {
    throw new DomainException(
      HttpStatus.BAD_REQUEST,
      ErrorCode.RedirectNotAllowed,
      `${field} must be on PUBLIC_URL or an origin listed in CORS_ORIGINS`,
      { fields: [{ field, errors: [`${field} is not on an allowed origin`] }] },
    );
  }
  return value;
}
