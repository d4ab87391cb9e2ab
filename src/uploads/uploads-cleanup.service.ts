import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { STORAGE, type StorageDriver } from '../storage/storage.interface.js';
import type { UploadSession } from './upload-session.entity.js';
import { UPLOAD_STORE, type UploadStore } from './upload-store.interface.js';

// Sessions end on the hour scale (UPLOAD_SESSION_TTL_HOURS): a pass every 10 minutes is enough.
const INTERVAL_MS = 10 * 60 * 1000;
const BATCH = 100;

interface ExpiredRow {
  id: string;
  storage_key: string;
  status: string;
}

/**
 * Deletes what resumable uploads left behind: sessions not finished, or finished but never made
 * into a product, by their `expiresAt`. Each pass claims its rows with FOR UPDATE SKIP LOCKED, so
 * any number of instances can run it; `runOnce` is the whole loop, for tests and operators.
 */
@Injectable()
export class UploadsCleanupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('UploadsCleanup');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(STORAGE) private readonly storage: StorageDriver,
    @Inject(UPLOAD_STORE) private readonly store: UploadStore,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running !== undefined) return;
    this.running = this.runOnce();
    try {
      const removed = await this.running;
      if (removed > 0) this.logger.log(`Deleted ${removed} expired upload(s)`);
    } catch (error) {
      this.logger.error({ err: error }, 'Upload clean-up failed');
    } finally {
      this.running = undefined;
    }
  }

  /** One pass: every session past its time and not attached loses its bytes. Returns how many. */
  async runOnce(now: Date = new Date()): Promise<number> {
    let removed = 0;
    for (;;) {
      // Claimed and marked in one statement; the bytes go after, with no transaction open.
      const rows: ExpiredRow[] = await this.dataSource.query(
        `WITH due AS (
           SELECT id, status FROM upload_sessions
           WHERE status IN ('pending', 'complete') AND product_id IS NULL AND expires_at <= $1
           ORDER BY expires_at
           LIMIT ${BATCH}
           FOR UPDATE SKIP LOCKED
         )
         UPDATE upload_sessions s SET status = 'expired', updated_at = now()
         FROM due WHERE s.id = due.id
         RETURNING s.id, s.storage_key, due.status`,
        [now],
      );
      const claimed = Array.isArray(rows[0]) ? (rows[0] as unknown as ExpiredRow[]) : rows;
      for (const row of claimed) {
        try {
          await this.storage.delete(row.storage_key);
          await this.store.forget({ id: row.id, storageKey: row.storage_key } as UploadSession);
          removed += 1;
        } catch (error) {
          // Put it back so the next pass tries again: bytes are never left without a row.
          this.logger.error({ err: error, session: row.id }, 'Could not delete an expired upload');
          await this.dataSource.query(
            `UPDATE upload_sessions SET status = $2 WHERE id = $1 AND status = 'expired'`,
            [row.id, row.status],
          );
          return removed;
        }
      }
      if (claimed.length < BATCH) return removed;
    }
  }
}
