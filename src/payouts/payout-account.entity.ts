import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * A creator's connected account with the payments provider (Stripe: an Express account), one per
 * creator and provider, and its last known state. The row exists before the account does: the
 * primary key is what stops two concurrent first onboarding calls from creating two accounts.
 */
@Entity('payout_accounts')
@Unique('UQ_payout_accounts_account', ['provider', 'accountId'])
export class PayoutAccount {
  @PrimaryColumn({
    name: 'creator_id',
    type: 'uuid',
    primaryKeyConstraintName: 'PK_payout_accounts',
  })
  creatorId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'creator_id', foreignKeyConstraintName: 'FK_payout_accounts_creator' })
  creator?: User;

  /** `stripe` or `simulated`: an account id means nothing to the other provider. */
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'PK_payout_accounts' })
  provider: string;

  /** The provider's account id (`acct_…`); null only while it is being created. */
  @Column({ name: 'account_id', type: 'varchar', length: 255, nullable: true })
  accountId: string | null;

  @Column({ name: 'charges_enabled', type: 'boolean', default: false })
  chargesEnabled: boolean;

  @Column({ name: 'payouts_enabled', type: 'boolean', default: false })
  payoutsEnabled: boolean;

  @Column({ name: 'details_submitted', type: 'boolean', default: false })
  detailsSubmitted: boolean;

  @Column({ name: 'requirements_due', type: 'jsonb', default: () => "'[]'" })
  requirementsDue: string[];

  @Column({ name: 'past_due', type: 'jsonb', default: () => "'[]'" })
  pastDue: string[];

  @Column({ name: 'disabled_reason', type: 'varchar', length: 100, nullable: true })
  disabledReason: string | null;

  /** When the provider produced the state stored here: an older event never overwrites it. */
  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true })
  syncedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
