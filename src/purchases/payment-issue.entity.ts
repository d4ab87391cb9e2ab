import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Why money the provider reports could not be applied to a purchase as it stands. Each one is
 * money that moved without buying anything (or bought something at another price): an operator
 * refunds it or settles it by hand, then sets `resolved_at`.
 */
export enum PaymentIssueKind {
  /** A purchase, or the buyer's product, was already paid through another checkout. */
  DuplicatePayment = 'duplicate_payment',
  /** A checkout was paid with another amount or currency than the purchase's snapshot. */
  AmountMismatch = 'amount_mismatch',
  /** A refund or dispute names another currency (or charge amount) than the purchase. */
  RefundMismatch = 'refund_mismatch',
  /** A paid checkout carries our purchase id, but no such purchase exists. */
  UnknownPurchase = 'unknown_purchase',
}

/**
 * Payments the provider reports that fulfilment did not apply: never dropped, never a retry
 * loop. One row per provider object and kind, however often it is reported.
 */
@Entity('payment_issues')
@Unique('UQ_payment_issues_reference', ['provider', 'kind', 'reference'])
@Index('IDX_payment_issues_open', ['createdAt'], { where: `"resolved_at" IS NULL` })
export class PaymentIssue {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_payment_issues' })
  id: string;

  @Column({ type: 'varchar', length: 20 })
  provider: string;

  @Column({
    type: 'enum',
    enum: PaymentIssueKind,
    enumName: 'payment_issue_kind',
  })
  kind: PaymentIssueKind;

  /** The provider object it is about: the checkout session, or the payment of a refund. */
  @Column({ type: 'varchar', length: 255 })
  reference: string;

  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId: string | null;

  /** The provider's payment (Stripe: the PaymentIntent) to refund from its dashboard. */
  @Column({ name: 'provider_payment_id', type: 'varchar', length: 255, nullable: true })
  providerPaymentId: string | null;

  /** What the provider reports, in its minor units and currency. */
  @Column({ name: 'amount_cents', type: 'integer', nullable: true })
  amountCents: number | null;

  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  @Column({ type: 'text' })
  detail: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;
}
