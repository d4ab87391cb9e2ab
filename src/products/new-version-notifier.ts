import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface NewVersionEvent {
  productId: string;
  title: string;
  version: number;
  note: string | null;
}

/**
 * Tells a product's buyers that a new version is out (`notifyBuyers: true`). It runs inside the
 * transaction that records the version, so an outbox row written through `manager` is committed
 * with it or not at all. The mail module replaces this provider with one that queues an email
 * per buyer with access.
 */
export abstract class NewVersionNotifier {
  abstract newVersion(manager: EntityManager, event: NewVersionEvent): Promise<void>;
}

/** Until a mail module provides the real notifier: says who would have been told. */
@Injectable()
export class LoggingNewVersionNotifier extends NewVersionNotifier {
  private readonly logger = new Logger('NewVersionNotifier');

  async newVersion(manager: EntityManager, event: NewVersionEvent): Promise<void> {
    const [{ n }] = await manager.query<{ n: number }[]>(
      `SELECT count(DISTINCT buyer_id)::int AS n FROM purchases WHERE product_id = $1 AND status = 'paid'`,
      [event.productId],
    );
    this.logger.warn(
      `Version ${event.version} of product ${event.productId}: ${n} buyer(s) to notify, but no mail module is configured`,
    );
  }
}
