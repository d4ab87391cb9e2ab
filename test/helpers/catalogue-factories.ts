import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface ProductRow {
  id: string;
  creatorId: string;
  title: string;
  priceCents: number;
  currency: string;
}

/**
 * Inserts a product row directly, for specs about what happens after a product exists
 * (purchases, downloads, stats). Upload specs go through POST /creator/upload instead.
 */
export async function insertProduct(
  dataSource: DataSource,
  creatorId: string,
  overrides: Partial<{
    title: string;
    priceCents: number;
    currency: string;
    status: 'published' | 'unpublished' | 'archived';
    fileKey: string;
    fileName: string;
    fileSize: number;
    contentType: string;
    sha256: string;
  }> = {},
): Promise<ProductRow> {
  const id = randomUUID();
  const row = {
    title: `Product ${id.slice(0, 8)}`,
    priceCents: 1500,
    currency: 'usd',
    status: 'published',
    fileKey: `${creatorId}/${id}/${randomUUID()}`,
    fileName: 'guide.pdf',
    fileSize: 1024,
    contentType: 'application/pdf',
    sha256: '0'.repeat(64),
    ...overrides,
  };
  await dataSource.query(
    `INSERT INTO products (id, creator_id, title, description, price_cents, currency, status,
       file_key, file_name, file_size, content_type, sha256)
     VALUES ($1, $2, $3, '', $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      creatorId,
      row.title,
      row.priceCents,
      row.currency,
      row.status,
      row.fileKey,
      row.fileName,
      row.fileSize,
      row.contentType,
      row.sha256,
    ],
  );
  return { id, creatorId, title: row.title, priceCents: row.priceCents, currency: row.currency };
}
