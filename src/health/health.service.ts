import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CheckDto, ReadinessDto } from './health.dto.js';

/** A dependency the app needs to serve requests; throws with the reason when it is not ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
const CHECK_TIMEOUT_MS = 3000;

@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  async readiness(): Promise<ReadinessDto> {
    const all: ReadinessCheck[] = [
      {
        name: 'database',
        check: async () => {
          await this.dataSource.query('SELECT 1');
        },
      },
      ...this.checks,
    ];
    const results = await Promise.all(all.map((c) => this.run(c)));
    const checks = Object.fromEntries(all.map((c, i) => [c.name, results[i]]));
    const ok = results.every((r) => r.status === 'up');
    return { status: ok ? 'ok' : 'error', checks };
  }

  private async run(check: ReadinessCheck): Promise<CheckDto> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check.check(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
        }),
      ]);
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
