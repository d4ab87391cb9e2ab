import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  type CheckoutState,
  PAYMENTS,
  type PaymentEvent,
  type PaymentsDriver,
} from '../payments/payments.interface.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { preparedQuery } from '../database/prepared.js';
import { MailService, type PaidSale } from '../mail/mail.service.js';
import { PayoutsService } from '../payouts/payouts.service.js';
import { refundedFee } from '../payouts/platform-fee.js';
import { PaymentIssueKind } from './payment-issue.entity.js';
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

/** What fulfilment reads and changes of a purchase, as lockPurchase returns it. */
type LockedPurchase = Pick<
  Purchase,
  | 'id'
  | 'buyerId'
  | 'productId'
  | 'amountCents'
  | 'currency'
  | 'status'
  | 'refundedCents'
  | 'feeCents'
  | 'feeRefundedCents'
  | 'disputeStatus'
  | 'providerSessionId'
  | 'providerPaymentId'
  | 'paidAt'
  | 'refundedAt'
>;

/** A locked purchase and, read with it, who its receipt and new-sale emails go to. */
interface LockedSale {
  purchase: LockedPurchase;
  sale: PaidSale | null;
}

interface LockedRow extends LockedPurchase {
  productTitle: string | null;
  buyerEmail: string | null;
  creatorEmail: string | null;
}

/**
 * A purchase with the product title and the buyer's and creator's addresses, for a WHERE on
 * `p` and `FOR UPDATE OF p`: only the purchase row is locked.
 */
const SELECT_LOCKED = `SELECT p.id, p.buyer_id AS "buyerId", p.product_id AS "productId",
    p.amount_cents AS "amountCents", p.currency, p.status, p.refunded_cents AS "refundedCents",
    p.fee_cents AS "feeCents", p.fee_refunded_cents AS "feeRefundedCents",
    p.dispute_status AS "disputeStatus", p.provider_session_id AS "providerSessionId",
    p.provider_payment_id AS "providerPaymentId", p.paid_at AS "paidAt",
    p.refunded_at AS "refundedAt", pr.title AS "productTitle", b.email AS "buyerEmail",
    c.email AS "creatorEmail"
  FROM purchases p
  LEFT JOIN products pr ON pr.id = p.product_id
  LEFT JOIN users b ON b.id = p.buyer_id
  LEFT JOIN users c ON c.id = pr.creator_id`;

/**
 * Writes what fulfilment changes on a purchase: `$1` the id, then the values of purchaseValues.
 * The table is named as TypeORM names it: whoever watches pg_stat_activity for a purchase being
 * written (the fault tests do) finds this statement too.
 */
const UPDATE_PURCHASE = `UPDATE "purchases" SET status = $2, provider_session_id = $3,
    provider_payment_id = $4, paid_at = $5, refunded_cents = $6, fee_refunded_cents = $7,
    refunded_at = $8, dispute_status = $9, updated_at = now()
  WHERE id = $1`;

const purchaseValues = (p: LockedPurchase) => [
  p.id,
  p.status,
  p.providerSessionId,
  p.providerPaymentId,
  p.paidAt,
  p.refundedCents,
  p.feeRefundedCents,
  p.refundedAt,
  p.disputeStatus,
];

/**
 * The unprocessed events waiting for a purchase or its payment, of the given types (SQL
 * expressions, e.g. parameters). Only refunds and disputes ever wait; the type matters all the
 * same, so that no other event is ever taken for one of them.
 */
const waitingEvents = (purchaseId: string, paymentId: string, types: string) =>
  `FROM payment_events
  WHERE processed_at IS NULL AND type = ANY(${types}::text[])
    AND (purchase_id = ${purchaseId} OR provider_payment_id = ${paymentId})`;

function lockedSale(row: LockedRow): LockedSale {
  const { productTitle, buyerEmail, creatorEmail, ...purchase } = row;
  const sale =
    productTitle === null || buyerEmail === null || creatorEmail === null
      ? null
      : {
          purchaseId: purchase.id,
          productTitle,
          amountCents: purchase.amountCents,
          currency: purchase.currency,
          buyerEmail,
          creatorEmail,
        };
  return { purchase, sale };
}

/**
 * The one fulfilment path. A Stripe webhook, the simulated checkout's Pay button and a buyer
 * polling a pending purchase all end here, with data that came from the provider (a verified
 * event or the provider's own answer), never from the client. Exactly-once comes from the
 * database: the event id is unique, and the purchase row is locked while it changes.
 *
 * Plain SQL, few round trips: a payment is five (BEGIN; the event recorded and its purchase
 * locked with what the emails need; the purchase written unless events wait for it; both
 * emails; COMMIT). Anything unusual (events waiting, a late or second payment, another amount)
 * takes the step-by-step way in the same transaction.
 */
@Injectable()
export class FulfilmentService {
  private readonly logger = new Logger(FulfilmentService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PAYMENTS) private readonly payments: PaymentsDriver,
    private readonly payouts: PayoutsService,
    private readonly mail: MailService,
  ) {}

  /** Records a verified event once and applies it, in one transaction (rolled back on error). */
  handleEvent(provider: string, event: PaymentEvent): Promise<EventOutcome> {
    return this.dataSource.transaction(async (m) => {
      const refs = this.references(event);
      // Only refunds and disputes can wait ('deferred'): any other event is processed by this
      // transaction or by none, so it is recorded as processed (now() is the transaction's
      // time, as received_at).
      const deferrable = (DEFERRABLE_TYPES as string[]).includes(event.type);
      const sessionId = 'checkout' in event ? event.checkout.sessionId : null;
      // One round trip: the event recorded (a duplicate inserts nothing and locks nothing) and
      // a checkout's purchase locked.
      const {
        rows: [recorded],
      } = await preparedQuery<{ recordId: string } & Partial<LockedRow>>(
        m,
        'fulfilment-record-event',
        `WITH recorded AS (
           INSERT INTO payment_events
             (provider, event_id, type, purchase_id, provider_payment_id, payload, processed_at)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::boolean THEN NULL ELSE now() END)
           ON CONFLICT ON CONSTRAINT "UQ_payment_events_event" DO NOTHING
           RETURNING id)
         SELECT recorded.id AS "recordId", locked.*
         FROM recorded LEFT JOIN LATERAL (
           ${SELECT_LOCKED}
           WHERE p.provider_session_id = $8 AND recorded.id IS NOT NULL
           LIMIT 1 FOR UPDATE OF p) locked ON true`,
        [
          provider,
          event.id,
          event.type,
          refs.purchaseId,
          refs.paymentId,
          JSON.stringify(event),
          deferrable,
          sessionId,
        ],
      );
      if (recorded === undefined) return 'duplicate';
      const { recordId, ...row } = recorded;
      const bySession =
        sessionId === null ? undefined : !row.id ? null : lockedSale(row as LockedRow);
      const outcome = await this.apply(m, provider, event, bySession);
      if (deferrable && outcome !== 'deferred') {
        await m.query('UPDATE payment_events SET processed_at = now() WHERE id = $1', [recordId]);
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

  /** `bySession`: a checkout's purchase, when handleEvent has already looked it up and locked it. */
  private apply(
    m: EntityManager,
    provider: string,
    event: PaymentEvent,
    bySession?: LockedSale | null,
  ): Promise<EventOutcome> {
    switch (event.type) {
      case 'checkout.completed':
      case 'checkout.async_payment_succeeded':
      case 'checkout.async_payment_failed':
      case 'checkout.expired':
        return this.applyCheckout(
          m,
          event.checkout,
          event.type === 'checkout.async_payment_failed',
          bySession,
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

  /**
   * `bySession`: the purchase of the checkout's session, already locked (null: there is none,
   * look further); undefined: not looked up yet.
   */
  private async applyCheckout(
    m: EntityManager,
    checkout: CheckoutState,
    asyncFailed = false,
    bySession?: LockedSale | null,
  ): Promise<EventOutcome> {
    const locked =
      bySession ??
      (await this.lockPurchase(m, {
        sessionId: bySession === undefined ? checkout.sessionId : undefined,
        purchaseId: asUuid(checkout.purchaseId),
      }));
    const paid =
      checkout.status === 'complete' &&
      (checkout.paymentStatus === 'paid' || checkout.paymentStatus === 'no_payment_required');
    if (locked === null) {
      // A checkout with no purchase id of ours belongs to something else on the same account.
      if (paid && checkout.purchaseId !== null) {
        await this.recordIssue(
          m,
          checkout,
          null,
          PaymentIssueKind.UnknownPurchase,
          'no such purchase',
        );
      } else {
        this.logger.warn(`Checkout ${checkout.sessionId} matches no purchase; ignored`);
      }
      return 'ignored';
    }
    const { purchase, sale } = locked;
    if (purchase.providerSessionId !== null && purchase.providerSessionId !== checkout.sessionId) {
      // Another session for the same purchase (one asked for again after a provider failure).
      // Money that moved on it is honoured while the purchase is unpaid; anything else about it
      // is stale.
      if (!paid) return 'ignored';
      if (purchase.paidAt !== null) {
        const why = `already paid through checkout ${purchase.providerSessionId}; refund one`;
        await this.recordIssue(m, checkout, purchase, PaymentIssueKind.DuplicatePayment, why);
        return 'ignored';
      }
      this.logger.warn(`Purchase ${purchase.id} paid through checkout ${checkout.sessionId}`);
    }

    if (paid && purchase.paidAt === null) {
      if (
        checkout.amountCents !== purchase.amountCents ||
        checkout.currency !== purchase.currency
      ) {
        // Never fulfil for another amount than the snapshot; someone must look at it.
        const why = `expects ${purchase.amountCents} ${purchase.currency}; not fulfilled`;
        await this.recordIssue(m, checkout, purchase, PaymentIssueKind.AmountMismatch, why);
        return 'ignored';
      }
      const late = purchase.status !== PurchaseStatus.Pending;
      purchase.providerSessionId = checkout.sessionId;
      purchase.paidAt = new Date();
      purchase.providerPaymentId = checkout.paymentId ?? purchase.providerPaymentId;
      purchase.status = settledStatus(purchase);
      if (!late) {
        // The usual payment, in one statement, unless events wait for it.
        if (await this.writePaid(m, purchase, sale)) return 'applied';
        await this.write(m, purchase);
      } else if (!(await this.honourLate(m, purchase))) {
        return this.recordIssue(
          m,
          checkout,
          purchase,
          PaymentIssueKind.DuplicatePayment,
          'the buyer already owns this product through another purchase; refund this payment',
        );
      }
      await this.applyDeferred(m, purchase);
      await this.announcePaid(m, purchase);
      return 'applied';
    }
    purchase.providerSessionId = checkout.sessionId;
    if (purchase.status !== PurchaseStatus.Pending) return 'applied';
    if (checkout.paymentId !== null) purchase.providerPaymentId = checkout.paymentId;
    if (asyncFailed) purchase.status = PurchaseStatus.Failed;
    else if (checkout.status === 'expired') purchase.status = PurchaseStatus.Expired;
    await this.write(m, purchase);
    return 'applied';
  }

  /**
   * A free product's purchase: paid at once, with no provider and no checkout, and announced
   * like any other payment in the transaction that writes it. A concurrent claim of the same
   * product by the same buyer fails on `UQ_purchases_live` and leaves nothing behind.
   */
  claimFree(values: {
    buyerId: string;
    productId: string;
    currency: string;
    feeCents: number;
    transferDestination: string | null;
  }): Promise<Purchase> {
    return this.dataSource.transaction(async (m) => {
      const purchase = await m.save(
        m.create(Purchase, {
          ...values,
          amountCents: 0,
          status: PurchaseStatus.Paid,
          provider: 'free',
          paidAt: new Date(),
        }),
      );
      await this.announcePaid(m, purchase);
      return purchase;
    });
  }

  /**
   * What every purchase that becomes paid sends, whichever path paid it (a provider's checkout,
   * a late payment, a free claim): the buyer's receipt and the creator's new-sale notice, queued
   * in the transaction that made it paid under the purchase's cause keys, so one each however
   * many times the payment is reported; and the refund notice when refunds that waited for the
   * payment were applied with it. `sale`: what the receipt and notice say, when the caller has
   * just read it.
   */
  private async announcePaid(
    m: EntityManager,
    purchase: Pick<Purchase, 'id' | 'refundedCents'>,
    sale?: PaidSale,
  ): Promise<void> {
    await this.mail.purchasePaid(m, purchase.id, sale);
    if (purchase.refundedCents > 0) await this.mail.purchaseRefunded(m, purchase.id);
  }

  /**
   * Makes a purchase paid after we had given up on it (expired or failed): the buyer paid, so
   * it is honoured, and any newer pending attempt for the same product is retired. False, with
   * nothing written, when the buyer already has the product through another purchase: then
   * this payment bought nothing and is a duplicate.
   */
  private async honourLate(m: EntityManager, purchase: LockedPurchase): Promise<boolean> {
    await m.query(
      `UPDATE purchases SET status = 'expired', updated_at = now()
       WHERE buyer_id = $1 AND product_id = $2 AND status = 'pending' AND id <> $3`,
      [purchase.buyerId, purchase.productId, purchase.id],
    );
    const owned: unknown[] = await m.query(
      `SELECT 1 FROM purchases
       WHERE buyer_id = $1 AND product_id = $2 AND status IN ('paid', 'disputed') AND id <> $3
       LIMIT 1`,
      [purchase.buyerId, purchase.productId, purchase.id],
    );
    if (owned.length > 0) return false;
    // Two late payments of one product committing at once: the database lets one through.
    await m.query('SAVEPOINT honour_late_payment');
    try {
      await this.write(m, purchase);
    } catch (error) {
      if (!isUniqueViolation(error, 'UQ_purchases_live')) throw error;
      await m.query('ROLLBACK TO SAVEPOINT honour_late_payment');
      return false;
    }
    await m.query('RELEASE SAVEPOINT honour_late_payment');
    return true;
  }

  /**
   * Keeps a payment the provider reports that cannot be applied (one row per provider object
   * and kind, however often it is reported) and raises an error-level alert. The event itself
   * is answered 2xx: retrying cannot change the answer, and money that moved is now on record.
   */
  private async recordIssue(
    m: EntityManager,
    checkout: CheckoutState,
    purchase: LockedPurchase | null,
    kind: PaymentIssueKind,
    why: string,
  ): Promise<'ignored'> {
    const detail =
      `Checkout ${checkout.sessionId} paid ${checkout.amountCents} ${checkout.currency} ` +
      `for purchase ${purchase?.id ?? checkout.purchaseId}: ${why}`;
    await this.insertIssue(m, {
      kind,
      reference: checkout.sessionId,
      purchaseId: purchase?.id ?? null,
      paymentId: checkout.paymentId,
      amountCents: checkout.amountCents,
      currency: checkout.currency,
      detail,
    });
    return 'ignored';
  }

  private async insertIssue(
    m: EntityManager,
    issue: {
      kind: PaymentIssueKind;
      reference: string;
      purchaseId: string | null;
      paymentId: string | null;
      amountCents: number | null;
      currency: string | null;
      detail: string;
    },
  ): Promise<void> {
    this.logger.error(`Payment not applied (${issue.kind}): ${issue.detail}`);
    await m.query(
      `INSERT INTO payment_issues
         (provider, kind, reference, purchase_id, provider_payment_id, amount_cents, currency, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ON CONSTRAINT "UQ_payment_issues_reference" DO NOTHING`,
      [
        this.payments.name,
        issue.kind,
        issue.reference,
        issue.purchaseId,
        issue.paymentId,
        issue.amountCents,
        issue.currency?.slice(0, 3) ?? null,
        issue.detail,
      ],
    );
  }

  /** Refunds and disputes: only meaningful once the payment was fulfilled; until then they wait. */
  private async applyToPayment(m: EntityManager, event: PaymentScopedEvent): Promise<EventOutcome> {
    const purchase =
      (
        await this.lockPurchase(m, {
          paymentId: event.paymentId,
          purchaseId: asUuid(event.purchaseId),
        })
      )?.purchase ?? null;
    if (await this.settlesIssue(m, event)) return 'ignored';
    if (purchase === null || purchase.paidAt === null) return 'deferred';
    if (!(await this.concernsPurchase(m, purchase, event))) return 'ignored';
    const refundedBefore = purchase.refundedCents;
    this.changePayment(purchase, event);
    await this.write(m, purchase);
    if (purchase.refundedCents > refundedBefore) await this.mail.purchaseRefunded(m, purchase.id);
    return 'applied';
  }

  /**
   * Whether a refund or dispute is about this purchase's payment as we know it. It is not when
   * it names another payment of the same purchase (a second payment, kept as a payment issue:
   * refunding it must not take the buyer's access away), or when a refund is of a charge in
   * another currency or of another amount (counting it would refund the wrong share, and 1,500
   * yen are not 1,500 cents): like a checkout paid for another amount, it is not applied, and
   * an operator is told.
   */
  private async concernsPurchase(
    m: EntityManager,
    purchase: LockedPurchase,
    event: PaymentScopedEvent,
  ): Promise<boolean> {
    if (purchase.providerPaymentId !== null && purchase.providerPaymentId !== event.paymentId) {
      this.logger.error(
        `A ${event.type} of payment ${event.paymentId} names purchase ${purchase.id}, which was ` +
          `paid with ${purchase.providerPaymentId}; not applied to it`,
      );
      return false;
    }
    if (event.type !== 'charge.refunded') return true;
    if (event.currency === purchase.currency && event.amountCents === purchase.amountCents) {
      return true;
    }
    await this.insertIssue(m, {
      kind: PaymentIssueKind.RefundMismatch,
      reference: event.paymentId,
      purchaseId: purchase.id,
      paymentId: event.paymentId,
      amountCents: event.amountRefundedCents,
      currency: event.currency,
      detail:
        `Refund of ${event.amountRefundedCents} ${event.currency} on a charge of ` +
        `${event.amountCents} ${event.currency}, payment ${event.paymentId}; purchase ` +
        `${purchase.id} is ${purchase.amountCents} ${purchase.currency}: not applied`,
    });
    return false;
  }

  /**
   * A refund or dispute of a payment kept as a payment issue (paid twice, for another amount):
   * never the purchase's own, so it must not touch the purchase or the buyer's access. A full
   * refund settles the issue; a dispute of it needs an operator.
   */
  private async settlesIssue(m: EntityManager, event: PaymentScopedEvent): Promise<boolean> {
    const refundedInFull =
      event.type === 'charge.refunded' && event.amountRefundedCents >= event.amountCents;
    // A SELECT around the UPDATE: TypeORM answers a bare UPDATE with [rows, count].
    const found: { id: string }[] = await m.query(
      `WITH touched AS (
         UPDATE payment_issues
         SET resolved_at = CASE WHEN $3::boolean THEN COALESCE(resolved_at, now()) ELSE resolved_at END
         WHERE provider = $1 AND provider_payment_id = $2 AND kind <> 'refund_mismatch'
         RETURNING id)
       SELECT id FROM touched`,
      [this.payments.name, event.paymentId, refundedInFull],
    );
    if (found.length === 0) return false;
    if (refundedInFull) {
      this.logger.log(`Payment ${event.paymentId}, kept as a payment issue, was refunded in full`);
    } else {
      this.logger.error(
        `A ${event.type} of payment ${event.paymentId}, kept as a payment issue; not applied`,
      );
    }
    return true;
  }

  private changePayment(purchase: LockedPurchase, event: PaymentScopedEvent): void {
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
  private async applyDeferred(m: EntityManager, purchase: LockedPurchase): Promise<void> {
    const waiting = await m.query<{ id: string; payload: PaymentScopedEvent }[]>(
      `SELECT id, payload ${waitingEvents('$1', '$2', '$3')} ORDER BY received_at, id FOR UPDATE`,
      [purchase.id, purchase.providerPaymentId ?? '', DEFERRABLE_TYPES],
    );
    for (const record of waiting) {
      const event = record.payload;
      if (await this.concernsPurchase(m, purchase, event)) this.changePayment(purchase, event);
    }
    if (waiting.length > 0) {
      await this.write(m, purchase);
      await m.query('UPDATE payment_events SET processed_at = now() WHERE id = ANY($1::uuid[])', [
        waiting.map((record) => record.id),
      ]);
    }
  }

  /**
   * A payment of a pending purchase in two statements: the purchase written as paid unless an
   * event waits for it (a refund or dispute that came first), then its receipt and new-sale
   * emails (under the purchase's cause keys: once however many times the payment is
   * reported). False, with nothing written, when an event waits: the caller then applies it
   * step by step. The UPDATE is a statement of its own after lockPurchase's lock, so its look
   * for waiting events sees every event committed before that lock was granted.
   */
  private async writePaid(
    m: EntityManager,
    purchase: LockedPurchase,
    sale: PaidSale | null,
  ): Promise<boolean> {
    // Without the facts of the emails (a row missing), or with money already refunded (its
    // notice too), the step-by-step way says what happens.
    if (sale === null || purchase.refundedCents > 0) return false;
    const { rowCount } = await preparedQuery(
      m,
      'fulfilment-write-paid',
      `${UPDATE_PURCHASE} AND NOT EXISTS (SELECT 1 ${waitingEvents('$1', '$10', '$11')})`,
      [...purchaseValues(purchase), purchase.providerPaymentId ?? '', DEFERRABLE_TYPES],
    );
    if (rowCount === 0) return false;
    await this.announcePaid(m, purchase, sale);
    return true;
  }

  /**
   * Writes what fulfilment changes on a purchase locked by lockPurchase: an UPDATE of those
   * columns.
   */
  private async write(m: EntityManager, purchase: LockedPurchase): Promise<void> {
    await m.query(UPDATE_PURCHASE, purchaseValues(purchase));
  }

  private async lockPurchase(
    m: EntityManager,
    by: { sessionId?: string; paymentId?: string; purchaseId: string | null },
  ): Promise<LockedSale | null> {
    const lock = async (column: string, value: string) => {
      const rows = await m.query<LockedRow[]>(
        `${SELECT_LOCKED} WHERE p.${column} = $1 LIMIT 1 FOR UPDATE OF p`,
        [value],
      );
      return rows.length === 0 ? null : lockedSale(rows[0]);
    };
    if (by.sessionId !== undefined) {
      const found = await lock('provider_session_id', by.sessionId);
      if (found !== null) return found;
    }
    if (by.paymentId !== undefined) {
      const found = await lock('provider_payment_id', by.paymentId);
      if (found !== null) return found;
    }
    return by.purchaseId !== null ? lock('id', by.purchaseId) : null;
  }
}
