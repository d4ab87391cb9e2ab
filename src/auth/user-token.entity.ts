import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { User } from '../users/user.entity.js';

export enum UserTokenPurpose {
  VerifyEmail = 'verify_email',
  ResetPassword = 'reset_password',
}

/** A single-use token sent by email; only its SHA-256 is kept. */
@Entity('user_tokens')
@Unique('UQ_user_tokens_hash', ['tokenHash'])
@Index('IDX_user_tokens_user', ['userId'])
export class UserToken {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_user_tokens' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_tokens_user' })
  user?: User;

  @Column({ type: 'enum', enum: UserTokenPurpose, enumName: 'user_token_purpose' })
  purpose: UserTokenPurpose;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
