import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Every provider event, recorded once (unique provider + event id) in the same transaction as
 * its effect. An event about a payment not yet fulfilled (a refund before the completion it
 * refers to) waits here unprocessed and is applied right after that fulfilment.
 */
@Entity('payment_events')
@Unique('UQ_payment_events_event', ['provider', 'eventId'])
// Partial (processed_at IS NULL: the events still waiting), on provider_payment_id and on
// purchase_id: made by the migration.
@Index('IDX_payment_events_pending_payment', { synchronize: false })
@Index('IDX_payment_events_pending_purchase', { synchronize: false })
export class PaymentEventRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_payment_events' })
  id: string;

  @Column({ type: 'varchar', length: 20 })
  provider: string;

  @Column({ name: 'event_id', type: 'varchar', length: 255 })
  eventId: string;

  @Column({ type: 'varchar', length: 100 })
  type: string;

  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId: string | null;

  @Column({ name: 'provider_payment_id', type: 'varchar', length: 255, nullable: true })
  providerPaymentId: string | null;

  /** The normalised, verified event, kept to apply a deferred event later. */
  @Column({ type: 'jsonb' })
  payload: unknown;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
