import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

export enum SimulatedCheckoutStatus {
  Open = 'open',
  Complete = 'complete',
  Expired = 'expired',
}

export enum SimulatedPaymentStatus {
  Unpaid = 'unpaid',
  Paid = 'paid',
}

export enum SimulatedDisputeStatus {
  Open = 'open',
  Won = 'won',
  Lost = 'lost',
}

/**
 * A checkout of the simulated payments provider: its own record, as Stripe keeps its own.
 * `purchase_id` has no foreign key on purpose: the driver knows nothing of purchases.
 */
@Entity('simulated_checkout_sessions')
@Unique('UQ_simulated_checkout_sessions_payment_id', ['paymentId'])
@Check('CHK_simulated_checkout_sessions_amount', `"amount_cents" >= 0`)
@Check(
  'CHK_simulated_checkout_sessions_refunded',
  `"amount_refunded_cents" >= 0 AND "amount_refunded_cents" <= "amount_cents"`,
)
// expireStale() looks for open sessions past their expiry.
@Index('IDX_simulated_checkout_sessions_open_expires', ['expiresAt'], {
  where: `"status" = 'open'`,
})
export class SimulatedCheckoutSession {
  /** `sim_cs_<random>`, like Stripe's `cs_…`. */
  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'PK_simulated_checkout_sessions',
  })
  id: string;

  @Column({ name: 'purchase_id', type: 'uuid' })
  purchaseId: string;

  @Column({ name: 'product_id', type: 'uuid' })
  productId: string;

  @Column({ name: 'product_title', type: 'varchar', length: 200 })
  productTitle: string;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ name: 'buyer_email', type: 'varchar', length: 254 })
  buyerEmail: string;

  @Column({ name: 'success_url', type: 'text' })
  successUrl: string;

  @Column({ name: 'cancel_url', type: 'text' })
  cancelUrl: string;

  @Column({
    type: 'enum',
    enum: SimulatedCheckoutStatus,
    enumName: 'simulated_checkout_status',
    default: SimulatedCheckoutStatus.Open,
  })
  status: SimulatedCheckoutStatus;

  @Column({
    name: 'payment_status',
    type: 'enum',
    enum: SimulatedPaymentStatus,
    enumName: 'simulated_payment_status',
    default: SimulatedPaymentStatus.Unpaid,
  })
  paymentStatus: SimulatedPaymentStatus;

  /** `sim_pi_<random>`, set when the checkout completes (Stripe: the PaymentIntent). */
  @Column({ name: 'payment_id', type: 'varchar', length: 64, nullable: true })
  paymentId: string | null;

  @Column({ name: 'amount_refunded_cents', type: 'integer', default: 0 })
  amountRefundedCents: number;

  @Column({
    name: 'dispute_status',
    type: 'enum',
    enum: SimulatedDisputeStatus,
    enumName: 'simulated_dispute_status',
    nullable: true,
  })
  disputeStatus: SimulatedDisputeStatus | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
