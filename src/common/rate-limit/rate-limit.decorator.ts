import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorDto } from '../error.dto.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import type { RateLimitBucket } from './rate-limit.service.js';

export const RATE_LIMIT = 'rate-limit:bucket';

/** Limits a route with one of the configured buckets: 429 RATE_LIMITED with Retry-After. */
export function RateLimit(
  bucket: RateLimitBucket,
  description = 'Too many requests (RATE_LIMITED); the Retry-After header says when to retry',
) {
  return applyDecorators(
    SetMetadata(RATE_LIMIT, bucket),
    UseGuards(RateLimitGuard),
    ApiResponse({ status: 429, type: ErrorDto, description }),
  );
}
