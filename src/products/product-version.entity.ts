import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { bigintNumber } from '../database/transformers.js';
import { Product } from './product.entity.js';

/**
 * One file a product has had. Replacing the file adds a version and keeps the old object, so
 * what a buyer downloaded before can still be told apart (and restored) later.
 */
@Entity('product_versions')
@Index('UQ_product_versions_product_version', ['productId', 'version'], { unique: true })
export class ProductVersion {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_product_versions' })
  id: string;

  @Column({ name: 'product_id', type: 'uuid' })
  productId: string;

  @ManyToOne(() => Product, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'FK_product_versions_product' })
  product?: Product;

  @Column({ type: 'integer' })
  version: number;

  /** Storage object key. Never leaves the service. */
  @Column({ name: 'file_key', type: 'varchar', length: 500 })
  fileKey: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Column({ name: 'file_size', type: 'bigint', transformer: bigintNumber })
  fileSize: number;

  @Column({ name: 'content_type', type: 'varchar', length: 255 })
  contentType: string;

  /** Null for a resumable upload to Supabase, whose bytes never pass through the API. */
  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  /** What changed, in the creator's words (shown to buyers when they are told). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
