import { HttpStatus, type Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainException } from './domain.exception.js';
import { ErrorCode } from './error-codes.js';

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, description: 'Items per page' })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
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
