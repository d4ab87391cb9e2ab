import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

// Rows written straight to the tables (no HTTP, no bcrypt) so that tests of the figures can
// set every column, including times in the past and states a webhook would have produced.

export async function insertUser(
  ds: DataSource,
  role: 'creator' | 'buyer',
  email = `${role}-${randomUUID()}@example.com`,
): Promise<string> {
  const rows = await ds.query<{ id: string }[]>(
    `INSERT INTO users (email, password_hash, role, display_name)
    VALUES ($1, 'not-a-hash', $2, $3) RETURNING id`,
    [email, role, email.split('@')[0]],
  );
  return rows[0].id;
}

export interface ProductInput {
  id?: string;
  creatorId: string;
  title?: string;
  priceCents?: number;
  currency?: string;
  status?: 'published' | 'unpublished' | 'archived';
  createdAt?: Date;
}

export async function insertProducts(ds: DataSource, products: ProductInput[]): Promise<string[]> {
  const rows = products.map((p) => ({
    id: p.id ?? randomUUID(),
    creator_id: p.creatorId,
    title: p.title ?? 'A product',
    price_cents: p.priceCents ?? 1000,
    currency: p.currency ?? 'usd',
    status: p.status ?? 'published',
    created_at: (p.createdAt ?? new Date()).toISOString(),
  }));
  await ds.query(
    `INSERT INTO products (id, creator_id, title, price_cents, currency, status, file_key,
      file_name, file_size, content_type, sha256, created_at)
    SELECT x.id, x.creator_id, x.title, x.price_cents, x.currency, x.status::product_status,
      'products/' || x.id, 'file.pdf', 1, 'application/pdf', repeat('0', 64), x.created_at
    FROM json_to_recordset($1::json) AS x(id uuid, creator_id uuid, title text,
      price_cents int, currency text, status text, created_at timestamptz)`,
    [JSON.stringify(rows)],
  );
  return rows.map((r) => r.id);
}

export const insertProduct = async (ds: DataSource, product: ProductInput): Promise<string> =>
  (await insertProducts(ds, [product]))[0];

export type PurchaseState = 'pending' | 'paid' | 'failed' | 'expired' | 'refunded' | 'disputed';

export interface PurchaseInput {
  id?: string;
  buyerId: string;
  productId: string;
  amountCents: number;
  currency: string;
  status: PurchaseState;
  refundedCents?: number;
  /** The platform fee taken at checkout, and the part of it refunded since. */
  feeCents?: number;
  feeRefundedCents?: number;
  disputeStatus?: 'open' | 'won' | 'lost' | null;
  paidAt?: Date | string | null;
  refundedAt?: Date | null;
}

export interface InsertedPurchase extends PurchaseInput {
  id: string;
}

/**
 * Inserts purchases in one statement. Rows that would break the one-live-purchase rule are
 * skipped (ON CONFLICT DO NOTHING): only the returned ones exist.
 */
export async function insertPurchases(
  ds: DataSource,
  purchases: PurchaseInput[],
): Promise<InsertedPurchase[]> {
  if (purchases.length === 0) return [];
  const rows = purchases.map((p) => ({
    id: p.id ?? randomUUID(),
    buyer_id: p.buyerId,
    product_id: p.productId,
    amount_cents: p.amountCents,
    currency: p.currency,
    status: p.status,
    refunded_cents: p.refundedCents ?? 0,
    fee_cents: p.feeCents ?? 0,
    fee_refunded_cents: p.feeRefundedCents ?? 0,
    dispute_status: p.disputeStatus ?? null,
    paid_at: p.paidAt instanceof Date ? p.paidAt.toISOString() : (p.paidAt ?? null),
    refunded_at: p.refundedAt?.toISOString() ?? null,
  }));
  const inserted = await ds.query<{ id: string }[]>(
    `INSERT INTO purchases (id, buyer_id, product_id, amount_cents, currency, status,
      refunded_cents, fee_cents, fee_refunded_cents, dispute_status, provider, paid_at,
      refunded_at)
    SELECT x.id, x.buyer_id, x.product_id, x.amount_cents, x.currency,
      x.status::purchase_status, x.refunded_cents, x.fee_cents, x.fee_refunded_cents,
      x.dispute_status::dispute_status, 'simulated', x.paid_at, x.refunded_at
    FROM json_to_recordset($1::json) AS x(id uuid, buyer_id uuid, product_id uuid,
      amount_cents int, currency text, status text, refunded_cents int, fee_cents int,
      fee_refunded_cents int, dispute_status text, paid_at timestamptz, refunded_at timestamptz)
    ON CONFLICT DO NOTHING
    RETURNING id`,
    [JSON.stringify(rows)],
  );
  const kept = new Set(inserted.map((r) => r.id));
  return purchases.map((p, i) => ({ ...p, id: rows[i].id })).filter((p) => kept.has(p.id));
}

export interface DownloadInput {
  userId: string;
  productId: string;
  purchaseId?: string | null;
  createdAt?: Date;
}

export async function insertDownloads(ds: DataSource, downloads: DownloadInput[]): Promise<void> {
  if (downloads.length === 0) return;
  const rows = downloads.map((d) => ({
    user_id: d.userId,
    product_id: d.productId,
    purchase_id: d.purchaseId ?? null,
    created_at: (d.createdAt ?? new Date()).toISOString(),
  }));
  await ds.query(
    `INSERT INTO downloads (user_id, product_id, purchase_id, file_version, created_at)
    SELECT x.user_id, x.product_id, x.purchase_id, 1, x.created_at
    FROM json_to_recordset($1::json) AS x(user_id uuid, product_id uuid, purchase_id uuid,
      created_at timestamptz)`,
    [JSON.stringify(rows)],
  );
}
