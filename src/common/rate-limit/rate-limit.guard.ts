import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { clientKey } from '../client-address.js';
import { DomainException } from '../domain.exception.js';
import { ErrorCode } from '../error-codes.js';
import { RATE_LIMIT } from './rate-limit.decorator.js';
import { type RateLimitBucket, RateLimitService } from './rate-limit.service.js';

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const bucket = this.reflector.get<RateLimitBucket | undefined>(
      RATE_LIMIT,
      context.getHandler(),
    );
    if (bucket === undefined) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: { id: string } }>();
    // Signed-in callers are counted per account, others per client address (IPv6: per /64).
    const key = request.user?.id ?? clientKey(request.ip);
    const result = await this.limits.consume(bucket, key);
    if (result.allowed) return true;
    throw new DomainException(
      HttpStatus.TOO_MANY_REQUESTS,
      ErrorCode.RateLimited,
      `Too many requests; try again in ${result.retryAfterSeconds} s`,
      undefined,
      { 'Retry-After': String(result.retryAfterSeconds) },
    );
  }
}
