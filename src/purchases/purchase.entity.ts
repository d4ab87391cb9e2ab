import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Product } from '../products/product.entity.js';
import { User } from '../users/user.entity.js';
import { DisputeStatus, PurchaseStatus } from './purchase-status.enum.js';

@Entity('purchases')
@Check('CHK_purchases_amount', `"amount_cents" >= 0`)
@Check('CHK_purchases_refunded', `"refunded_cents" >= 0`)
@Check('CHK_purchases_fee', `"fee_cents" >= 0 AND "fee_cents" <= "amount_cents"`)
@Check(
  'CHK_purchases_fee_refunded',
  `"fee_refunded_cents" >= 0 AND "fee_refunded_cents" <= "fee_cents"`,
)
@Index('UQ_purchases_session', ['providerSessionId'], { unique: true })
@Index('IDX_purchases_payment', ['providerPaymentId'])
@Index('IDX_purchases_buyer_paid', ['buyerId', 'paidAt', 'id'])
// At most one live (pending, paid or disputed) purchase per buyer and product: a partial unique
// index made by the migration.
@Index('UQ_purchases_live', { synchronize: false })
// The creator stats' covering index (product, paid time, id) INCLUDE the figures, which also
// serves every lookup by product: a migration.
@Index('IDX_purchases_product_paid_cover', { synchronize: false })
export class Purchase {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_purchases' })
  id: string;

  @Column({ name: 'buyer_id', type: 'uuid' })
  buyerId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'buyer_id', foreignKeyConstraintName: 'FK_purchases_buyer' })
  buyer?: User;

  @Column({ name: 'product_id', type: 'uuid' })
  productId: string;

  @ManyToOne(() => Product, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'FK_purchases_product' })
  product?: Product;

  /** The price when the checkout began, in minor units: later price edits never change it. */
  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ type: 'enum', enum: PurchaseStatus, enumName: 'purchase_status' })
  status: PurchaseStatus;

  /** Total refunded so far, minor units (a lost dispute counts as fully refunded). */
  @Column({ name: 'refunded_cents', type: 'integer', default: 0 })
  refundedCents: number;

  /**
   * The platform fee taken on this sale (Stripe's `application_fee_amount`), minor units, fixed at
   * checkout like the amount; 0 in `platform` payouts mode and for free products.
   */
  @Column({ name: 'fee_cents', type: 'integer', default: 0 })
  feeCents: number;

  /** The part of the fee returned by refunds so far (in proportion to `refundedCents`). */
  @Column({ name: 'fee_refunded_cents', type: 'integer', default: 0 })
  feeRefundedCents: number;

  /** The creator's connected account the sale was transferred to (a destination charge). */
  @Column({ name: 'transfer_destination', type: 'varchar', length: 255, nullable: true })
  transferDestination: string | null;

  @Column({
    name: 'dispute_status',
    type: 'enum',
    enum: DisputeStatus,
    enumName: 'dispute_status',
    nullable: true,
  })
  disputeStatus: DisputeStatus | null;

  /** `stripe`, `simulated`, or `free` for a zero-price product. */
  @Column({ type: 'varchar', length: 20 })
  provider: string;

  @Column({ name: 'provider_session_id', type: 'varchar', length: 255, nullable: true })
  providerSessionId: string | null;

  @Column({ name: 'checkout_url', type: 'text', nullable: true })
  checkoutUrl: string | null;

  @Column({ name: 'checkout_expires_at', type: 'timestamptz', nullable: true })
  checkoutExpiresAt: Date | null;

  /**
   * When a buyer's read last asked the provider about this checkout. In the database, so every
   * instance sees it: a polling buyer makes at most one provider call every few seconds.
   */
  @Column({ name: 'provider_checked_at', type: 'timestamptz', nullable: true })
  providerCheckedAt: Date | null;

  @Column({ name: 'provider_payment_id', type: 'varchar', length: 255, nullable: true })
  providerPaymentId: string | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true })
  refundedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
