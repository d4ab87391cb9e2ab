import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ProductStatus } from '../product-status.enum.js';
import { CurrencyRules, DescriptionRules, PriceRules, TitleRules } from './product-fields.js';

export const EDITABLE_STATUSES = [ProductStatus.Published, ProductStatus.Unpublished] as const;

export class UpdateProductDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @Optional()
  @TitleRules()
  title?: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @Optional()
  @DescriptionRules()
  description?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 99_999_999,
    description:
      "Integer minor units: 0 (free) or from 50 to 99,999,999, and at least the currency's smallest card payment where that is more (e.g. 300 in sek, 17500 in huf)",
  })
  @Optional()
  @PriceRules()
  priceCents?: number;

  @ApiPropertyOptional({
    example: 'eur',
    description: 'Lower-case ISO 4217 code from ALLOWED_CURRENCIES',
  })
  @Optional()
  @CurrencyRules()
  currency?: string;

  @ApiPropertyOptional({
    enum: EDITABLE_STATUSES,
    description:
      'published or unpublished. An archived product can be brought back this way; archiving is DELETE.',
  })
  @Optional()
  @IsIn(EDITABLE_STATUSES, { message: 'status must be published or unpublished' })
  status?: ProductStatus.Published | ProductStatus.Unpublished;
}
