import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export enum OutboxStatus {
  Pending = 'pending',
  Sent = 'sent',
  /** Gave up after the last attempt; an operator may set it back to pending. */
  Failed = 'failed',
}

/**
 * An email to send, written in the same transaction as what caused it. The cause key is unique,
 * so one cause (a purchase's receipt, a reset request) yields one message however often the
 * cause is replayed. Bodies are cleared once the message is sent: they may carry a token.
 */
@Entity('outbox')
@Unique('UQ_outbox_cause', ['causeKey'])
// Partial (status = 'pending'): made by the migration.
@Index('IDX_outbox_due', { synchronize: false })
// Partial (status <> 'pending', on created_at): what the worker deletes after the retention.
@Index('IDX_outbox_done', { synchronize: false })
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_outbox' })
  id: string;

  @Column({ name: 'cause_key', type: 'varchar', length: 200 })
  causeKey: string;

  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ name: 'text_body', type: 'text', nullable: true })
  textBody: string | null;

  @Column({ name: 'html_body', type: 'text', nullable: true })
  htmlBody: string | null;

  @Column({
    type: 'enum',
    enum: OutboxStatus,
    enumName: 'outbox_status',
    default: OutboxStatus.Pending,
  })
  status: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** When the message may next be tried; while a worker holds it, when its claim lapses. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
