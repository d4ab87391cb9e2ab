import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Product } from '../products/product.entity.js';
import { Purchase } from '../purchases/purchase.entity.js';
import { User } from '../users/user.entity.js';

/** Every download link issued: who, what, when, from where. */
@Entity('downloads')
@Index('IDX_downloads_product_created', ['productId', 'createdAt'])
@Index('IDX_downloads_user_created', ['userId', 'createdAt'])
export class Download {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_downloads' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_downloads_user' })
  user?: User;

  @Column({ name: 'product_id', type: 'uuid' })
  productId: string;

  @ManyToOne(() => Product, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'FK_downloads_product' })
  product?: Product;

  /** The purchase that granted access; null when the creator downloads their own file. */
  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId: string | null;

  @ManyToOne(() => Purchase, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'purchase_id', foreignKeyConstraintName: 'FK_downloads_purchase' })
  purchase?: Purchase;

  @Column({ name: 'file_version', type: 'integer' })
  fileVersion: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
