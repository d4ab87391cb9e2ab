import { Optional } from './decorators/optional.decorator.js';
import { HttpStatus, type Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainException } from './domain.exception.js';
import { ErrorCode } from './error-codes.js';

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, description: 'Items per page' })
  @Optional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @Optional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A Swagger schema for `{ items: T[], nextCursor }`. */
export function PageDto<T>(item: Type<T>, name = `${item.name.replace(/Dto$/, '')}Page`) {
  class PageOf {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` to get the next page; null on the last page',
    })
    nextCursor: string | null;
  }
  Object.defineProperty(PageOf, 'name', { value: name });
  return PageOf;
}

/** Cursors are opaque to clients: base64url JSON of the last item's sort key. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, check: (values: unknown[]) => boolean): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && check(values)) return values;
  } catch {
    // falls through to the error below
  }
  throw new DomainException(HttpStatus.BAD_REQUEST, ErrorCode.ValidationFailed, 'Invalid cursor', {
    fields: [{ field: 'cursor', errors: ['cursor is not one this API issued'] }],
  });
}

/**
 * A timestamp column as a cursor carries it: UTC text with its microseconds. PostgreSQL keeps
 * microseconds and a JS Date only milliseconds, so a cursor made from a Date would skip or repeat
 * the rows of one millisecond; compared back as `$n::timestamptz`, this text is exact.
 */
export const cursorTimeSql = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const CURSOR_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(?:\d{3}|\d{6})Z$/;

/**
 * A UTC time as cursors carry it (milli- or microseconds), and a real one: February 30th, hour
 * 24 or year 0 would reach PostgreSQL and fail there (22007/22008) instead of being a 400.
 */
export function isCursorTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = CURSOR_TIME.exec(value);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  );
}

/** A whole number in [min, max]: a cursor's number must fit the column it is compared with. */
export function isCursorInt(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Takes `limit + 1` rows and turns them into a page with the cursor of its last item. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  cursorOf: (row: R) => unknown[],
): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return {
    items: items.map(map),
    nextCursor: more ? encodeCursor(cursorOf(items[items.length - 1])) : null,
  };
}
