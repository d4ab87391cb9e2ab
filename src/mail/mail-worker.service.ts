import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { MAIL_TRANSPORT, type MailTransport, type OutgoingMail } from './mail-transport.js';

/** How long a claimed message stays out of other workers' reach while it is being sent. */
const LEASE_SECONDS = 120;
/** After this many failed attempts (about nine hours of backoff) a message is marked failed. */
export const MAX_ATTEMPTS = 15;
const IDLE_POLL_MS = 1000;
const BATCH_SIZE = 50;
const CONCURRENCY = 10;
/** Old messages deleted per statement: short statements, so deliveries never wait long. */
export const PURGE_BATCH_SIZE = 500;
/** How often an instance looks for old messages once it has deleted all it found. */
const PURGE_INTERVAL_MS = 3600_000;

/** Seconds before attempt `attempts + 1`: 30 s doubling up to an hour, with ±20 % jitter. */
export function backoffSeconds(attempts: number, random = Math.random()): number {
  const base = Math.min(30 * 2 ** Math.max(0, attempts - 1), 3600);
  return Math.round(base * (0.8 + 0.4 * random));
}

interface ClaimedRow {
  id: string;
  recipient: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  attempts: number;
}

/**
 * Delivers the outbox. `runOnce` claims a batch of due messages (FOR UPDATE SKIP LOCKED, so any
 * number of instances share the work) by pushing their next attempt past a lease, commits, and
 * only then sends: no connection or transaction is held while an SMTP server answers (the
 * embedded database has a single connection). A message is marked sent after the server took
 * it; a crash in between leaves it to be sent again when the lease lapses (at least once, with
 * the same Message-ID), never lost. `start` runs it in a loop; tests call `runOnce` directly.
 */
@Injectable()
export class MailWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private running?: Promise<void>;
  private stopped = false;
  private wake?: () => void;
  /** When the loop next deletes old messages (at once after a start). */
  private purgeDueAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.mail.workerEnabled) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    await this.transport.close();
  }

  start(): void {
    this.stopped = false;
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /** Sends what is due now; returns how many messages it handled (sent or failed). */
  async runOnce(limit = BATCH_SIZE): Promise<number> {
    const claimed = await this.dataSource.query<ClaimedRow[]>(
      `WITH due AS (
         SELECT id FROM outbox
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE outbox o
         SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
         FROM due WHERE o.id = due.id
         RETURNING o.id, o.recipient, o.subject, o.text_body, o.html_body, o.attempts
       )
       SELECT * FROM claimed`,
      [limit, LEASE_SECONDS],
    );
    if (claimed.length === 0) return 0;

    const sent: string[] = [];
    const failed: { id: string; delay: number; error: string; attempts: number }[] = [];
    let next = 0;
    const sendNext = async (): Promise<void> => {
      while (next < claimed.length) {
        const row = claimed[next++];
        try {
          await this.transport.send(this.toMail(row));
          sent.push(row.id);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failed.push({
            id: row.id,
            delay: backoffSeconds(row.attempts),
            error: message.slice(0, 500),
            attempts: row.attempts,
          });
          this.logger.warn(
            `Email ${row.id} not delivered (attempt ${row.attempts} of ${MAX_ATTEMPTS}): ${message}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, sendNext));

    if (sent.length > 0) {
      // The bodies may carry a token: they are not kept once delivered.
      await this.dataSource.query(
        `UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL,
           text_body = NULL, html_body = NULL
         WHERE id = ANY($1::uuid[])`,
        [sent],
      );
    }
    if (failed.length > 0) {
      await this.dataSource.query(
        `UPDATE outbox o
         SET next_attempt_at = now() + make_interval(secs => f.delay), last_error = f.error,
             status = CASE WHEN o.attempts >= $4 THEN 'failed'::outbox_status ELSE 'pending'::outbox_status END
         FROM unnest($1::uuid[], $2::int[], $3::text[]) AS f(id, delay, error)
         WHERE o.id = f.id`,
        [
          failed.map((f) => f.id),
          failed.map((f) => f.delay),
          failed.map((f) => f.error),
          MAX_ATTEMPTS,
        ],
      );
      for (const f of failed.filter((f) => f.attempts >= MAX_ATTEMPTS)) {
        this.logger.error(`Email ${f.id} given up after ${MAX_ATTEMPTS} attempts: ${f.error}`);
      }
    }
    return claimed.length;
  }

  /**
   * Deletes up to `limit` sent or failed messages queued more than MAIL_OUTBOX_RETENTION_DAYS
   * ago; returns how many. Pending messages are never deleted. Instances running it at once
   * skip each other's rows (SKIP LOCKED), and each call is one short statement, so the
   * embedded database's single connection is not held. A cause key is unique only while its
   * row exists, but no cause comes back that late: each is a state change that happens once
   * (a purchase becoming paid, a larger refunded total, a new version, a new token).
   */
  async purgeOnce(limit = PURGE_BATCH_SIZE): Promise<number> {
    const deleted: unknown[] = await this.dataSource.query(
      `WITH old AS (
         SELECT id FROM outbox
         WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)
         ORDER BY created_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), gone AS (
         DELETE FROM outbox o USING old WHERE o.id = old.id RETURNING o.id
       )
       SELECT id FROM gone`,
      [this.config.mail.retentionDays, limit],
    );
    return deleted.length;
  }

  private toMail(row: ClaimedRow): OutgoingMail {
    return {
      id: row.id,
      to: row.recipient,
      subject: row.subject,
      text: row.text_body ?? '',
      html: row.html_body ?? '',
    };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let handled = 0;
      try {
        handled = await this.runOnce();
        // One batch of old messages per turn, between deliveries, until none is left.
        if (Date.now() >= this.purgeDueAt) {
          const purged = await this.purgeOnce();
          if (purged < PURGE_BATCH_SIZE) this.purgeDueAt = Date.now() + PURGE_INTERVAL_MS;
          handled += purged;
        }
      } catch (error) {
        // The database is unreachable for a moment: the messages wait in the outbox.
        this.logger.warn(`Outbox: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (handled === 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, IDLE_POLL_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
