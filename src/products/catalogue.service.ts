import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { notFound } from '../common/domain.exception.js';
import { type Page, toPage } from '../common/pagination.js';
import { SerializedJson } from '../common/serialized-json.js';
import { PayoutsService } from '../payouts/payouts.service.js';
import type { CatalogueQueryDto, CatalogueSort } from './dto/catalogue-query.dto.js';
import type { CatalogueProductDto } from './dto/product.dto.js';
import {
  cursorOf,
  invalidCursor,
  isBadCursorValue,
  PRODUCT_COLUMNS,
  type ProductRow,
  readCursor,
  rowToCatalogueDto,
} from './product-rows.js';

// Each sort has a keyset index that already holds rows in this order (see the products migration).
const ORDER: Record<CatalogueSort, { by: string; key: string; after: string; cast: string }> = {
  newest: {
    by: 'p.created_at DESC, p.id DESC',
    key: 'p.created_at',
    after: '<',
    cast: 'timestamptz',
  },
  price_asc: { by: 'p.price_cents ASC, p.id ASC', key: 'p.price_cents', after: '>', cast: 'int' },
  price_desc: {
    by: 'p.price_cents DESC, p.id DESC',
    key: 'p.price_cents',
    after: '<',
    cast: 'int',
  },
};

// Exactly the expression of IDX_products_search, or PostgreSQL will not use the index.
const SEARCH_DOCUMENT = `to_tsvector('simple', p.title || ' ' || p.description)`;

// Pages are kept this long. A write through this instance clears them at once; other instances
// (several behind a load balancer) may show a page up to this old.
const CACHE_MS = 5000;
const CACHE_ENTRIES = 1000;

/** The public catalogue: published products only, never a storage key. */
@Injectable()
export class CatalogueService {
  // The hottest public read: identical requests share one query and its serialised answer (with
  // its ETag) for a moment, so a hit costs no query, no JSON.stringify and no hash.
  private readonly cache = new Map<string, { expires: number; page: Promise<SerializedJson> }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutsService,
  ) {
    // `purchasable` follows the creators' payouts status.
    payouts.onChange(() => this.invalidate());
  }

  /** The catalogue's columns: the product's, its creator's name, and whether it can be bought. */
  private get columns(): string {
    return `${PRODUCT_COLUMNS}, u.display_name AS creator_name,
      ${this.payouts.canTakeChargesSql('p.creator_id')} AS creator_can_take_charges`;
  }

  /** One page of the catalogue as JSON text (see `list` for the shape). */
  listJson(query: CatalogueQueryDto): Promise<SerializedJson> {
    const key = `${query.sort}|${query.limit}|${query.creatorId ?? ''}|${query.cursor ?? ''}|${query.q ?? ''}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.expires > now) return hit.page;
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    const page = this.list(query).then((value) => SerializedJson.of(value));
    this.cache.set(key, { expires: now + CACHE_MS, page });
    page.catch(() => this.cache.delete(key));
    return page;
  }

  /** Called after every change to a product, so this instance never serves an old page. */
  invalidate(): void {
    this.cache.clear();
  }

  /** One page of the catalogue, read now (not cached). */
  async list(query: CatalogueQueryDto): Promise<Page<CatalogueProductDto>> {
    const { sql, params } = this.listQuery(query);
    let rows: ProductRow[];
    try {
      rows = await this.dataSource.query<ProductRow[]>(sql, params);
    } catch (error) {
      if (isBadCursorValue(error)) throw invalidCursor();
      throw error;
    }
    return toPage(rows, query.limit, rowToCatalogueDto, (row) => cursorOf(query.sort, row));
  }

  /** The SQL of one catalogue page (exposed for EXPLAIN in the benchmarks). */
  listQuery(query: CatalogueQueryDto): { sql: string; params: unknown[] } {
    const order = ORDER[query.sort];
    const params: unknown[] = [];
    const where = [`p.status = 'published'`];
    if (query.creatorId !== undefined) {
      params.push(query.creatorId);
      where.push(`p.creator_id = $${params.length}`);
    }
    if (query.q !== undefined && query.q !== '') {
      params.push(query.q);
      where.push(`${SEARCH_DOCUMENT} @@ websearch_to_tsquery('simple', $${params.length})`);
    }
    if (query.cursor !== undefined) {
      const { key, id } = readCursor(query.cursor, query.sort);
      params.push(key, id);
      where.push(
        `(${order.key}, p.id) ${order.after} ($${params.length - 1}::${order.cast}, $${params.length}::uuid)`,
      );
    }
    params.push(query.limit + 1);
    const sql = `SELECT ${this.columns}
      FROM products p JOIN users u ON u.id = p.creator_id
      WHERE ${where.join(' AND ')}
      ORDER BY ${order.by}
      LIMIT $${params.length}`;
    return { sql, params };
  }

  async get(id: string): Promise<CatalogueProductDto> {
    const rows = await this.dataSource.query<ProductRow[]>(
      `SELECT ${this.columns}
       FROM products p JOIN users u ON u.id = p.creator_id
       WHERE p.id = $1 AND p.status = 'published'`,
      [id],
    );
    if (rows.length === 0) throw notFound('Product');
    return rowToCatalogueDto(rows[0]);
  }
}
