import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  cursorTimeSql,
  decodeCursor,
  isCursorTime,
  type Page,
  toPage,
} from '../common/pagination.js';
import { isUuid } from '../common/uuid.js';
import type { PurchaseStatus } from '../purchases/purchase-status.enum.js';
import type { User } from '../users/user.entity.js';
import { csvLine } from './csv.js';
import type { SaleDto } from './dto/sale.dto.js';
import type { SalesQueryDto } from './dto/sales-query.dto.js';
import { resolveDates } from './period.js';
import { TimeZones } from './time-zones.js';

interface SaleRow {
  id: string;
  product_id: string;
  title: string;
  email: string;
  amount_cents: number;
  currency: string;
  status: PurchaseStatus;
  refunded_cents: number;
  /** The platform fee kept: net of the part refunded. */
  fee_cents: number;
  paid_at: Date;
  /** paid_at in UTC to the microsecond: the cursor must not lose what a JS Date drops. */
  paid_key: string;
}

/** Conditions on purchases `u`, with their parameters after $1 (the creator id). */
class Filter {
  readonly where = ['u.paid_at IS NOT NULL'];
  readonly params: unknown[] = [];

  /** Adds a parameter and answers its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length + 1}`;
  }

  /** The same conditions, to add more to without changing these. */
  copy(): Filter {
    const copy = new Filter();
    copy.where.splice(0, copy.where.length, ...this.where);
    copy.params.push(...this.params);
    return copy;
  }
}

/** Where a page starts: after the sale with this exact payment time and id. */
interface SalesPosition {
  paidKey: string;
  id: string;
}

const COLUMNS = `u.id, u.product_id, p.title, b.email, u.amount_cents, u.currency, u.status,
  u.refunded_cents, u.fee_cents - u.fee_refunded_cents AS fee_cents, u.paid_at,
  ${cursorTimeSql('u.paid_at')} AS paid_key`;

export const CSV_HEADER = [
  'purchaseId',
  'productId',
  'productTitle',
  'buyerEmail',
  'amountCents',
  'currency',
  'status',
  'refundedCents',
  'paidAt',
  // Added with creator payouts: at the end, so the columns before keep their places.
  'feeCents',
  'earningsCents',
] as const;

const CSV_BATCH = 1000;

function toSale(row: SaleRow): SaleDto {
  return {
    purchaseId: row.id,
    productId: row.product_id,
    productTitle: row.title,
    buyerEmail: row.email,
    amountCents: row.amount_cents,
    currency: row.currency,
    status: row.status,
    refundedCents: row.refunded_cents,
    feeCents: row.fee_cents,
    earningsCents: row.amount_cents - row.refunded_cents - row.fee_cents,
    paidAt: row.paid_at,
  };
}

function csvRow(sale: SaleDto): string {
  return csvLine([
    sale.purchaseId,
    sale.productId,
    sale.productTitle,
    sale.buyerEmail,
    sale.amountCents,
    sale.currency,
    sale.status,
    sale.refundedCents,
    sale.paidAt.toISOString(),
    sale.feeCents,
    sale.earningsCents,
  ]);
}

/** Reads a cursor this API issued for the sales list; any other is a 400. */
function readSalesCursor(cursor: string | undefined): SalesPosition | undefined {
  if (cursor === undefined) return undefined;
  const [paidKey, id] = decodeCursor(
    cursor,
    (v) => v.length === 2 && isCursorTime(v[0]) && typeof v[1] === 'string' && isUuid(v[1]),
  ) as [string, string];
  return { paidKey, id };
}

@Injectable()
export class SalesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly timeZones: TimeZones,
  ) {}

  /** One page, newest first by (paid_at, id). */
  async list(creator: User, query: SalesQueryDto): Promise<Page<SaleDto>> {
    const filter = await this.filter(query);
    const after = readSalesCursor(query.cursor);
    const rows = await this.page(creator, filter, after, query.limit + 1);
    return toPage(rows, query.limit, toSale, (row) => [row.paid_key, row.id]);
  }

  /**
   * Every matching sale as CSV lines (header first), read in keyset batches of CSV_BATCH rows,
   * each one short query on a pooled connection that goes back to the pool at once. The next
   * batch is read only when the client has taken the previous one (Readable.from pulls the
   * generator only when its buffer drains), so memory stays flat for any number of rows and a
   * client that reads slowly, or not at all, holds no connection and no transaction.
   * Without one snapshot, a sale paid after the export began is left out (it sorts before the
   * first batch), and a refund during the export shows in the batches read after it.
   */
  async csv(creator: User, query: SalesQueryDto): Promise<Readable> {
    // The file holds every matching sale, not a page: a cursor is checked like anywhere else,
    // then not used.
    readSalesCursor(query.cursor);
    const filter = await this.filter(query);
    const page = (after: SalesPosition | undefined) => this.page(creator, filter, after, CSV_BATCH);
    async function* lines(): AsyncGenerator<string> {
      yield csvLine(CSV_HEADER);
      let after: SalesPosition | undefined;
      for (;;) {
        const rows = await page(after);
        if (rows.length > 0) yield rows.map((r) => csvRow(toSale(r))).join('');
        if (rows.length < CSV_BATCH) return;
        const last = rows[rows.length - 1];
        after = { paidKey: last.paid_key, id: last.id };
      }
    }
    return Readable.from(lines(), { objectMode: false });
  }

  /**
   * Up to `limit` sales after `after` (newest first). Each product's newest sales come from its
   * own range of the covering index (index-only: id and paid_at), the candidates (at most
   * `limit` per product) are merged, and only the winners are read from the table and joined:
   * a page costs the same with 1,000 or 1,000,000 sales, where a plain join would sort every
   * sale of the creator.
   */
  private page(
    creator: User,
    base: Filter,
    after: SalesPosition | undefined,
    limit: number,
  ): Promise<SaleRow[]> {
    const filter = base.copy();
    if (after !== undefined) {
      filter.where.push(
        `(u.paid_at, u.id) < (${filter.param(after.paidKey)}::timestamptz, ${filter.param(after.id)}::uuid)`,
      );
    }
    const limitParam = filter.param(limit);
    return this.dataSource.query<SaleRow[]>(
      `SELECT ${COLUMNS}
      FROM (
        SELECT k.id
        FROM products p
        CROSS JOIN LATERAL (
          SELECT u.id, u.paid_at
          FROM purchases u
          WHERE u.product_id = p.id AND ${filter.where.join(' AND ')}
          ORDER BY u.paid_at DESC, u.id DESC
          LIMIT ${limitParam}
        ) k
        WHERE p.creator_id = $1
        ORDER BY k.paid_at DESC, k.id DESC
        LIMIT ${limitParam}
      ) k
      JOIN purchases u ON u.id = k.id
      JOIN products p ON p.id = u.product_id
      JOIN users b ON b.id = u.buyer_id
      ORDER BY u.paid_at DESC, u.id DESC`,
      [creator.id, ...filter.params],
    );
  }

  private async filter(query: SalesQueryDto): Promise<Filter> {
    const tz = await this.timeZones.check(query.tz);
    const { from, to } = resolveDates({ from: query.from, to: query.to, tz }, { now: new Date() });
    const filter = new Filter();
    if (from !== undefined || to !== undefined) {
      const zone = filter.param(tz);
      if (from !== undefined) {
        const day = filter.param(from);
        filter.where.push(`u.paid_at >= (${day}::date)::timestamp AT TIME ZONE ${zone}`);
      }
      if (to !== undefined) {
        const day = filter.param(to);
        filter.where.push(`u.paid_at < (${day}::date + 1)::timestamp AT TIME ZONE ${zone}`);
      }
    }
    return filter;
  }
}
