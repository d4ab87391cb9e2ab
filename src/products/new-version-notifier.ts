import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MailService } from '../mail/mail.service.js';

export interface NewVersionEvent {
  productId: string;
  title: string;
  version: number;
  note: string | null;
}

/**
 * Tells a product's buyers that a new version is out (`notifyBuyers: true`). It runs inside the
 * transaction that records the version, so an outbox row written through `manager` is committed
 * with it or not at all.
 */
export abstract class NewVersionNotifier {
  abstract newVersion(manager: EntityManager, event: NewVersionEvent): Promise<void>;
}

/** Queues one email per buyer with access in the outbox, in the version's transaction. */
@Injectable()
export class MailNewVersionNotifier extends NewVersionNotifier {
  constructor(private readonly mail: MailService) {
    super();
  }

  async newVersion(manager: EntityManager, event: NewVersionEvent): Promise<void> {
    await this.mail.newVersion(manager, {
      productId: event.productId,
      version: event.version,
      note: event.note,
    });
  }
}
