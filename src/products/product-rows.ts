import { HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainException } from '../common/domain.exception.js';
import { ErrorCode } from '../common/error-codes.js';
import { cursorTimeSql, decodeCursor, isCursorInt, isCursorTime } from '../common/pagination.js';
import { MAX_PRICE_CENTS } from './dto/product-fields.js';
import type { CatalogueProductDto, ProductDto } from './dto/product.dto.js';
import type { Product } from './product.entity.js';
import type { ProductStatus } from './product-status.enum.js';
import { isUuid } from '../common/uuid.js';

/** The columns every product list reads, plus the exact creation time as keyset text. */
export const PRODUCT_COLUMNS = `
  p.id, p.creator_id, p.title, p.description, p.price_cents, p.currency, p.status,
  p.file_name, p.file_size, p.content_type, p.sha256, p.file_version, p.created_at, p.updated_at,
  ${cursorTimeSql('p.created_at')} AS created_key`;

export interface ProductRow {
  id: string;
  creator_id: string;
  title: string;
  description: string;
  price_cents: number;
  currency: string;
  status: ProductStatus;
  file_name: string;
  file_size: string;
  content_type: string;
  sha256: string | null;
  file_version: number;
  created_at: Date;
  updated_at: Date;
  /** Microsecond-exact created_at (a JS Date keeps only milliseconds). */
  created_key: string;
  creator_name?: string;
  /** The catalogue's: whether the creator can take charges now (payouts). */
  creator_can_take_charges?: boolean;
}

export function toProductDto(product: Product): ProductDto {
  return {
    id: product.id,
    title: product.title,
    description: product.description,
    priceCents: product.priceCents,
    currency: product.currency,
    status: product.status,
    fileName: product.fileName,
    size: product.fileSize,
    contentType: product.contentType,
    sha256: product.sha256,
    version: product.fileVersion,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
  };
}

export function rowToProductDto(row: ProductRow): ProductDto {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    priceCents: row.price_cents,
    currency: row.currency,
    status: row.status,
    fileName: row.file_name,
    size: Number(row.file_size),
    contentType: row.content_type,
    sha256: row.sha256,
    version: row.file_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function rowToCatalogueDto(row: ProductRow): CatalogueProductDto {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    priceCents: row.price_cents,
    currency: row.currency,
    creator: { id: row.creator_id, displayName: row.creator_name ?? '' },
    purchasable: row.price_cents === 0 || row.creator_can_take_charges !== false,
    fileName: row.file_name,
    size: Number(row.file_size),
    contentType: row.content_type,
    version: row.file_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type KeysetSort = 'newest' | 'price_asc' | 'price_desc';

/** A position in a list: the last item's sort key and id. */
export interface Keyset {
  key: string | number;
  id: string;
}

export function cursorOf(sort: KeysetSort, row: ProductRow): unknown[] {
  return [sort, sort === 'newest' ? row.created_key : row.price_cents, row.id];
}

/** Reads a cursor this API issued for the same sort; any other is a 400. */
export function readCursor(cursor: string, sort: KeysetSort): Keyset {
  const [, key, id] = decodeCursor(
    cursor,
    ([cursorSort, key, id, ...rest]) =>
      rest.length === 0 &&
      cursorSort === sort &&
      typeof id === 'string' &&
      isUuid(id) &&
      (sort === 'newest' ? isCursorTime(key) : isCursorInt(key, 0, MAX_PRICE_CENTS)),
  ) as [string, string | number, string];
  return { key, id };
}

/** A cursor that looked right but named an impossible time (e.g. February 30th). */
export function isBadCursorValue(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: string }).code;
  return code === '22007' || code === '22008';
}

export const invalidCursor = () =>
  new DomainException(HttpStatus.BAD_REQUEST, ErrorCode.ValidationFailed, 'Invalid cursor', {
    fields: [{ field: 'cursor', errors: ['cursor is not one this API issued'] }],
  });
