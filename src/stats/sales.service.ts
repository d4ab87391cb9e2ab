import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
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
}

const COLUMNS = `u.id, u.product_id, p.title, b.email, u.amount_cents, u.currency, u.status,
  u.refunded_cents, u.paid_at,
  to_char(u.paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS paid_key`;

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
] as const;

const CSV_BATCH = 1000;
const PAID_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
  ]);
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
    if (query.cursor !== undefined) {
      const [paidKey, id] = decodeCursor(
        query.cursor,
        (v) =>
          v.length === 2 &&
          typeof v[0] === 'string' &&
          PAID_KEY.test(v[0]) &&
          !Number.isNaN(Date.parse(v[0])) &&
          typeof v[1] === 'string' &&
          UUID.test(v[1]),
      ) as [string, string];
      filter.where.push(
        `(u.paid_at, u.id) < (${filter.param(paidKey)}::timestamptz, ${filter.param(id)}::uuid)`,
      );
    }
    const limit = query.limit;
    const limitParam = filter.param(limit + 1);
    // Each product's newest sales come from its own index range, then the few candidates
    // (at most limit + 1 per product) are merged: a page costs the same with 1,000 or 1,000,000
    // sales, where a plain join would sort every sale of the creator.
    const rows = await this.dataSource.query<SaleRow[]>(
      `SELECT ${COLUMNS}
      FROM products p
      CROSS JOIN LATERAL (
        SELECT u.id, u.product_id, u.buyer_id, u.amount_cents, u.currency, u.status,
          u.refunded_cents, u.paid_at
        FROM purchases u
        WHERE u.product_id = p.id AND ${filter.where.join(' AND ')}
        ORDER BY u.paid_at DESC, u.id DESC
        LIMIT ${limitParam}
      ) u
      JOIN users b ON b.id = u.buyer_id
      WHERE p.creator_id = $1
      ORDER BY u.paid_at DESC, u.id DESC
      LIMIT ${limitParam}`,
      [creator.id, ...filter.params],
    );
    return toPage(rows, limit, toSale, (row) => [row.paid_key, row.id]);
  }

  /**
   * Every matching sale as CSV lines (header first), read through a server-side cursor in
   * batches: memory stays flat for any number of rows. The cursor holds a database connection
   * until the stream ends or is destroyed (client gone), when it is released.
   */
  async csv(creator: User, query: SalesQueryDto): Promise<Readable> {
    const filter = await this.filter(query);
    const dataSource = this.dataSource;
    async function* lines(): AsyncGenerator<string> {
      yield csvLine(CSV_HEADER);
      const runner = dataSource.createQueryRunner();
      try {
        await runner.connect();
        // A cursor lives in a transaction, which also gives the whole file one snapshot.
        await runner.startTransaction('REPEATABLE READ');
        await runner.query(
          `DECLARE sales_csv NO SCROLL CURSOR FOR
          SELECT ${COLUMNS}
          FROM products p JOIN purchases u ON u.product_id = p.id JOIN users b ON b.id = u.buyer_id
          WHERE p.creator_id = $1 AND ${filter.where.join(' AND ')}
          ORDER BY u.paid_at DESC, u.id DESC`,
          [creator.id, ...filter.params],
        );
        for (;;) {
          const rows = (await runner.query(`FETCH ${CSV_BATCH} FROM sales_csv`)) as SaleRow[];
          if (rows.length > 0) yield rows.map((r) => csvRow(toSale(r))).join('');
          if (rows.length < CSV_BATCH) break;
        }
        await runner.commitTransaction();
      } finally {
        // Reached on success, on error and when the client goes away (the stream is destroyed).
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        await runner.release();
      }
    }
    return Readable.from(lines(), { objectMode: false });
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
