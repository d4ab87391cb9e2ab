import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { CheckoutState, PaymentEvent } from '../payments/payments.interface.js';
import { PayoutsService } from '../payouts/payouts.service.js';
import { refundedFee } from '../payouts/platform-fee.js';
import { PaymentEventRecord } from './payment-event.entity.js';
import { settledStatus } from './purchase-access.js';
import { DisputeStatus, PurchaseStatus } from './purchase-status.enum.js';
import { Purchase } from './purchase.entity.js';
import { isUuid } from '../common/uuid.js';

export type EventOutcome = 'applied' | 'duplicate' | 'deferred' | 'ignored';

const asUuid = (value: string | null | undefined) => (isUuid(value) ? value : null);

type PaymentScopedEvent = Extract<
  PaymentEvent,
  { type: 'charge.refunded' | 'dispute.created' | 'dispute.closed' }
>;

/** The events that can arrive before the payment they refer to, and wait for it. */
const DEFERRABLE_TYPES: PaymentScopedEvent['type'][] = [
  'charge.refunded',
  'dispute.created',
  'dispute.closed',
];

/**
 * The one fulfilment path. A Stripe webhook, the simulated checkout's Pay button and a buyer
 * polling a pending purchase all end here, with data that came from the provider (a verified
 * event or the provider's own answer), never from the client. Exactly-once comes from the
 * database: the event id is unique, and the purchase row is locked while it changes.
 */
@Injectable()
export class FulfilmentService {
  private readonly logger = new Logger(FulfilmentService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutsService,
  ) {}

  /** Records a verified event once and applies it, in one transaction (rolled back on error). */
  handleEvent(provider: string, event: PaymentEvent): Promise<EventOutcome> {
    return this.dataSource.transaction(async (m) => {
      const refs = this.references(event);
      const inserted: { id: string }[] = await m.query(
        `INSERT INTO payment_events (provider, event_id, type, purchase_id, provider_payment_id, payload)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ON CONSTRAINT "UQ_payment_events_event" DO NOTHING
         RETURNING id`,
        [provider, event.id, event.type, refs.purchaseId, refs.paymentId, JSON.stringify(event)],
      );
      if (inserted.length === 0) return 'duplicate';
      const outcome = await this.apply(m, provider, event);
      if (outcome !== 'deferred') {
        await m.update(PaymentEventRecord, { id: inserted[0].id }, { processedAt: () => 'now()' });
      }
      return outcome;
    });
  }

  /** Brings a purchase in line with its checkout as the provider reports it now. */
  syncCheckout(checkout: CheckoutState): Promise<EventOutcome> {
    return this.dataSource.transaction((m) => this.applyCheckout(m, checkout));
  }

  private references(event: PaymentEvent): { purchaseId: string | null; paymentId: string | null } {
    switch (event.type) {
      case 'checkout.completed':
      case 'checkout.async_payment_succeeded':
      case 'checkout.async_payment_failed':
      case 'checkout.expired':
        return {
          purchaseId: asUuid(event.checkout.purchaseId),
          paymentId: event.checkout.paymentId,
        };
      case 'charge.refunded':
      case 'dispute.created':
      case 'dispute.closed':
        return { purchaseId: asUuid(event.purchaseId), paymentId: event.paymentId };
      case 'account.updated':
      case 'ignored':
        return { purchaseId: null, paymentId: null };
    }
  }

  private apply(m: EntityManager, provider: string, event: PaymentEvent): Promise<EventOutcome> {
    switch (event.type) {
      case 'checkout.completed':
      case 'checkout.async_payment_succeeded':
      case 'checkout.async_payment_failed':
      case 'checkout.expired':
        return this.applyCheckout(
          m,
          event.checkout,
          event.type === 'checkout.async_payment_failed',
        );
      case 'charge.refunded':
      case 'dispute.created':
      case 'dispute.closed':
        return this.applyToPayment(m, event);
      case 'account.updated':
        return this.payouts.applyAccount(m, provider, event.account, event.created);
      case 'ignored':
        return Promise.resolve('ignored');
    }
  }

  private async applyCheckout(
    m: EntityManager,
    checkout: CheckoutState,
    asyncFailed = false,
  ): Promise<EventOutcome> {
    const purchase = await this.lockPurchase(m, {
      sessionId: checkout.sessionId,
      purchaseId: asUuid(checkout.purchaseId),
    });
    if (purchase === null) {
      this.logger.warn(`Checkout ${checkout.sessionId} matches no purchase; ignored`);
      return 'ignored';
    }
    const paid =
      checkout.status === 'complete' &&
      (checkout.paymentStatus === 'paid' || checkout.paymentStatus === 'no_payment_required');
    if (purchase.providerSessionId !== null && purchase.providerSessionId !== checkout.sessionId) {
      // Another session for the same purchase (one asked for again after a provider failure).
      // Money that moved on it is honoured while the purchase is unpaid; anything else about it
      // is stale.
      if (!paid || purchase.paidAt !== null) {
        if (paid) {
          this.logger.error(
            `Purchase ${purchase.id} was paid twice (checkout ${checkout.sessionId}); refund one`,
          );
        }
        return 'ignored';
      }
      this.logger.warn(`Purchase ${purchase.id} paid through checkout ${checkout.sessionId}`);
    }
    purchase.providerSessionId = checkout.sessionId;

    if (paid && purchase.paidAt === null) {
      if (
        checkout.amountCents !== purchase.amountCents ||
        checkout.currency !== purchase.currency
      ) {
        // Never fulfil for another amount than the snapshot; someone must look at it.
        this.logger.error(
          `Checkout ${checkout.sessionId} paid ${checkout.amountCents} ${checkout.currency}, ` +
            `purchase ${purchase.id} expects ${purchase.amountCents} ${purchase.currency}; not fulfilled`,
        );
        return 'ignored';
      }
      if (purchase.status !== PurchaseStatus.Pending) {
        // Paid after we had given up on it (expired or failed): the buyer paid, so honour it,
        // and retire any newer pending attempt for the same product.
        await m.query(
          `UPDATE purchases SET status = 'expired', updated_at = now()
           WHERE buyer_id = $1 AND product_id = $2 AND status = 'pending' AND id <> $3`,
          [purchase.buyerId, purchase.productId, purchase.id],
        );
      }
      purchase.paidAt = new Date();
      purchase.providerPaymentId = checkout.paymentId ?? purchase.providerPaymentId;
      purchase.status = settledStatus(purchase);
      await this.write(m, purchase);
      await this.applyDeferred(m, purchase);
      return 'applied';
    }
    if (purchase.status !== PurchaseStatus.Pending) return 'applied';
    if (checkout.paymentId !== null) purchase.providerPaymentId = checkout.paymentId;
    if (asyncFailed) purchase.status = PurchaseStatus.Failed;
    else if (checkout.status === 'expired') purchase.status = PurchaseStatus.Expired;
    await this.write(m, purchase);
    return 'applied';
  }

  /** Refunds and disputes: only meaningful once the payment was fulfilled; until then they wait. */
  private async applyToPayment(m: EntityManager, event: PaymentScopedEvent): Promise<EventOutcome> {
    const purchase = await this.lockPurchase(m, {
      paymentId: event.paymentId,
      purchaseId: asUuid(event.purchaseId),
    });
    if (purchase === null || purchase.paidAt === null) return 'deferred';
    this.changePayment(purchase, event);
    await this.write(m, purchase);
    return 'applied';
  }

  private changePayment(purchase: Purchase, event: PaymentScopedEvent): void {
    switch (event.type) {
      case 'charge.refunded':
        // Stripe reports the running total refunded on the charge: taking the maximum makes
        // duplicates and out-of-order deliveries harmless.
        purchase.refundedCents = Math.min(
          purchase.amountCents,
          Math.max(purchase.refundedCents, event.amountRefundedCents),
        );
        break;
      case 'dispute.created':
        // A dispute already closed stays closed, whatever order the events came in.
        purchase.disputeStatus ??= DisputeStatus.Open;
        break;
      case 'dispute.closed':
        purchase.disputeStatus = event.won ? DisputeStatus.Won : DisputeStatus.Lost;
        // A lost dispute takes the money back: it counts as a full refund.
        if (!event.won) purchase.refundedCents = purchase.amountCents;
        break;
    }
    // Stripe returns the platform fee in proportion to each refund (refund_application_fee).
    purchase.feeRefundedCents = refundedFee(purchase, purchase.refundedCents);
    purchase.status = settledStatus(purchase);
    if (purchase.status === PurchaseStatus.Refunded) purchase.refundedAt ??= new Date();
  }

  /** Applies, in arrival order, the events that waited for this purchase to be paid. */
  private async applyDeferred(m: EntityManager, purchase: Purchase): Promise<void> {
    // Only refunds and disputes ever wait. The type matters: the checkout event being handled
    // is itself unprocessed until its transaction ends, and must not be taken for one of them.
    const waiting = await m
      .createQueryBuilder(PaymentEventRecord, 'e')
      .setLock('pessimistic_write')
      .where('e.processed_at IS NULL')
      .andWhere('e.type IN (:...types)', { types: DEFERRABLE_TYPES })
      .andWhere('(e.purchase_id = :purchaseId OR e.provider_payment_id = :paymentId)', {
        purchaseId: purchase.id,
        paymentId: purchase.providerPaymentId ?? '',
      })
      .orderBy('e.received_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .getMany();
    for (const record of waiting) {
      this.changePayment(purchase, record.payload as PaymentScopedEvent);
    }
    if (waiting.length > 0) {
      await this.write(m, purchase);
      await m.update(
        PaymentEventRecord,
        { id: In(waiting.map((record) => record.id)) },
        { processedAt: () => 'now()' },
      );
    }
  }

  /**
   * Writes what fulfilment changes on a purchase locked by lockPurchase. An UPDATE of those
   * columns, not save(): save() first reads the row back to find what changed, one more round
   * trip in every payment's transaction.
   */
  private async write(m: EntityManager, purchase: Purchase): Promise<void> {
    await m.update(
      Purchase,
      { id: purchase.id },
      {
        status: purchase.status,
        providerSessionId: purchase.providerSessionId,
        providerPaymentId: purchase.providerPaymentId,
        paidAt: purchase.paidAt,
        refundedCents: purchase.refundedCents,
        feeRefundedCents: purchase.feeRefundedCents,
        refundedAt: purchase.refundedAt,
        disputeStatus: purchase.disputeStatus,
      },
    );
  }

  private async lockPurchase(
    m: EntityManager,
    by: { sessionId?: string; paymentId?: string; purchaseId: string | null },
  ): Promise<Purchase | null> {
    const lock = (where: Record<string, string>) =>
      m.findOne(Purchase, { where, lock: { mode: 'pessimistic_write' } });
    if (by.sessionId !== undefined) {
      const found = await lock({ providerSessionId: by.sessionId });
      if (found !== null) return found;
    }
    if (by.paymentId !== undefined) {
      const found = await lock({ providerPaymentId: by.paymentId });
      if (found !== null) return found;
    }
    return by.purchaseId !== null ? lock({ id: by.purchaseId }) : null;
  }
}
