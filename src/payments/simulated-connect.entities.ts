import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

/**
 * A connected account of the simulated payments provider (Stripe: an Express account), with the
 * latest onboarding link. No foreign key: the driver knows nothing of users.
 */
@Entity('simulated_connected_accounts')
@Unique('UQ_simulated_connected_accounts_key', ['idempotencyKey'])
@Unique('UQ_simulated_connected_accounts_link', ['linkId'])
export class SimulatedConnectedAccount {
  /** `sim_acct_<random>`, like Stripe's `acct_…`. */
  @PrimaryColumn({
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'PK_simulated_connected_accounts',
  })
  id: string;

  /** Creating an account twice with one key gives the same account, as Stripe does. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'details_submitted', type: 'boolean', default: false })
  detailsSubmitted: boolean;

  @Column({ name: 'charges_enabled', type: 'boolean', default: false })
  chargesEnabled: boolean;

  @Column({ name: 'payouts_enabled', type: 'boolean', default: false })
  payoutsEnabled: boolean;

  @Column({ name: 'requirements_due', type: 'jsonb', default: () => "'[]'" })
  requirementsDue: string[];

  @Column({ name: 'disabled_reason', type: 'varchar', length: 100, nullable: true })
  disabledReason: string | null;

  /** `sim_link_<random>`: the onboarding page's address, valid until `linkExpiresAt`. */
  @Column({ name: 'link_id', type: 'varchar', length: 64, nullable: true })
  linkId: string | null;

  @Column({ name: 'link_expires_at', type: 'timestamptz', nullable: true })
  linkExpiresAt: Date | null;

  /** Where the page sends the creator when they leave it (Stripe's `return_url`)... */
  @Column({ name: 'return_url', type: 'text', nullable: true })
  returnUrl: string | null;

  /** ...and where an expired or used link goes (Stripe's `refresh_url`). */
  @Column({ name: 'refresh_url', type: 'text', nullable: true })
  refreshUrl: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A refund of the simulated provider, kept so that a repeated request refunds once. */
@Entity('simulated_refunds')
@Unique('UQ_simulated_refunds_key', ['idempotencyKey'])
@Check('CHK_simulated_refunds_amount', `"amount_cents" > 0`)
export class SimulatedRefund {
  /** `sim_re_<random>`, like Stripe's `re_…`. */
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_simulated_refunds' })
  id: string;

  @Column({ name: 'payment_id', type: 'varchar', length: 64 })
  paymentId: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
