import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';

import { CurrencyRules, DescriptionRules, PriceRules, TitleRules } from './product-fields.js';

/** The text fields of `POST /creator/upload` (multipart: every value arrives as a string). */
export class CreateProductDto {
  @TitleRules()
  title: string;

  @Optional()
  @DescriptionRules()
  description?: string;

  // Only plain digits become a number; "12.5", "1e3" or "" stay strings and fail IsInt.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : value,
  )
  @PriceRules()
  priceCents: number;

  @Optional()
  @CurrencyRules()
  currency?: string;
}

export const CREATE_PRODUCT_FIELDS = ['title', 'description', 'priceCents', 'currency'] as const;
export type CreateProductField = (typeof CREATE_PRODUCT_FIELDS)[number];

/** The multipart body as Swagger UI shows it, so a file can be uploaded from /docs. */
export class UploadProductBodyDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The file to sell' })
  file: unknown;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Lightroom presets: Autumn' })
  title: string;

  @ApiPropertyOptional({ maxLength: 10000, default: '' })
  description?: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 99_999_999,
    example: 1500,
    description:
      "Integer minor units: 0 (free) or from 50 to 99,999,999, and at least the currency's smallest card payment where that is more (e.g. 300 in sek, 17500 in huf)",
  })
  priceCents: number;

  @ApiPropertyOptional({
    default: 'usd',
    example: 'usd',
    description: 'Lower-case ISO 4217 code from ALLOWED_CURRENCIES',
  })
  currency?: string;
}

export class ReplaceFileBodyDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The new file' })
  file: unknown;
}
