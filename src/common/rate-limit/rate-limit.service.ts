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
 * `payments`: requests per buyer to routes that may call the payment provider; `uploads`:
 * uploads per creator (per hour); `resetEmail`: password reset emails per address (per hour).
 */
export type RateLimitBucket = 'auth' | 'downloads' | 'payments' | 'uploads' | 'resetEmail';
/**
 * Budgets spent by an amount known only afterwards: `uploadBytes`, bytes per creator per hour;
 * `loginFailures`, failed sign-ins per account (normalised email) per 15 minutes.
 */
export type BudgetBucket = 'uploadBytes' | 'loginFailures';

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Fixed-window counters from rate-limiter-flexible: in memory for one instance, in Redis when
 * REDIS_URL is set so that every instance behind a load balancer shares them.
 */
@Injectable()
export class RateLimitService implements OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly redis?: Redis;
  private readonly limiters: Record<RateLimitBucket | BudgetBucket, RateLimiterAbstract>;

  constructor(config: AppConfig) {
    // [points, window in seconds]
    const limits: Record<RateLimitBucket | BudgetBucket, [number, number]> = {
      auth: [config.authRateLimitPerMinute, 60],
      downloads: [config.downloads.linksPerMinute, 60],
      payments: [config.paymentRequestsPerMinute, 60],
      uploads: [config.uploads.perHour, 3600],
      uploadBytes: [config.uploads.bytesPerHour, 3600],
      loginFailures: [config.loginFailuresPerAccount, 15 * 60],
      resetEmail: [5, 3600],
    };
    if (config.redisUrl !== undefined) {
      this.redis = new Redis(config.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
      this.redis.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    }
    const make = (bucket: RateLimitBucket | BudgetBucket): RateLimiterAbstract => {
      const [points, duration] = limits[bucket];
      const options = { keyPrefix: `rl:${bucket}`, points, duration };
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
      payments: make('payments'),
      uploads: make('uploads'),
      uploadBytes: make('uploadBytes'),
      loginFailures: make('loginFailures'),
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

  /** What is left of a budget now, and when it fills up again. */
  async remaining(
    bucket: BudgetBucket,
    key: string,
  ): Promise<{ points: number; retryAfterSeconds: number }> {
    const limiter = this.limiters[bucket];
    const used = await limiter.get(key);
    if (used === null) return { points: limiter.points, retryAfterSeconds: 0 };
    return {
      points: Math.max(0, limiter.points - used.consumedPoints),
      retryAfterSeconds: Math.max(1, Math.ceil(used.msBeforeNext / 1000)),
    };
  }

  /**
   * Takes one point of a budget before the work it pays for, so that concurrent requests cannot
   * all pass a check made before any of them failed; `refund` gives it back if it was not due.
   */
  async reserve(bucket: BudgetBucket, key: string): Promise<RateLimitResult> {
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

  async refund(bucket: BudgetBucket, key: string): Promise<void> {
    await this.limiters[bucket].reward(key, 1);
  }

  /** Spends `points` of a budget, even past its end (the work was already done). */
  async spend(bucket: BudgetBucket, key: string, points: number): Promise<void> {
    if (points > 0) await this.limiters[bucket].penalty(key, points);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
