import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppConfig } from '../../config/app-config.js';

/**
 * `auth`: sign-in and sign-up attempts per client IP; `downloads`: links per buyer;
 * `resetEmail`: password reset emails per address (5 an hour).
 */
export type RateLimitBucket = 'auth' | 'downloads' | 'resetEmail';

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Fixed-window counters from rate-limiter-flexible: in memory for one instance, in Redis when
 * REDIS_URL is set so that every instance behind a load balancer shares them.
 */
@Injectable()
export class RateLimitService implements OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly redis?: Redis;
  private readonly limiters: Record<RateLimitBucket, RateLimiterAbstract>;

  constructor(config: AppConfig) {
    const limits: Record<RateLimitBucket, { points: number; duration: number }> = {
      auth: { points: config.authRateLimitPerMinute, duration: 60 },
      downloads: { points: config.downloads.linksPerMinute, duration: 60 },
      resetEmail: { points: 5, duration: 3600 },
    };
    if (config.redisUrl !== undefined) {
      this.redis = new Redis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
      this.redis.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    }
    const make = (bucket: RateLimitBucket): RateLimiterAbstract => {
      const options = { keyPrefix: `rl:${bucket}`, ...limits[bucket] };
      if (this.redis === undefined) return new RateLimiterMemory(options);
      // While Redis is unreachable each instance keeps counting on its own.
      return new RateLimiterRedis({
        ...options,
        storeClient: this.redis,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    };
    this.limiters = {
      auth: make('auth'),
      downloads: make('downloads'),
      resetEmail: make('resetEmail'),
    };
  }

  async consume(bucket: RateLimitBucket, key: string): Promise<RateLimitResult> {
    try {
      await this.limiters[bucket].consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
      throw rejection;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
