import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, IsUUID, MaxLength } from 'class-validator';
import { CurrencyRules, DescriptionRules, PriceRules, TitleRules } from './product-fields.js';

const UPLOAD_ID_DESCRIPTION =
  'The id of a finished resumable upload (POST /creator/uploads); its bytes are checked on the server first';

/** `POST /creator/products`: a product from a finished resumable upload. */
export class CreateProductFromUploadDto {
  @ApiProperty({ format: 'uuid', description: UPLOAD_ID_DESCRIPTION })
  @IsUUID('all')
  uploadId: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Video course: colour grading' })
  @TitleRules()
  title: string;

  @ApiPropertyOptional({ maxLength: 10000, default: '' })
  @Optional()
  @DescriptionRules()
  description?: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 99_999_999,
    example: 4900,
    description:
      "Integer minor units: 0 (free) or from 50 to 99,999,999, and at least the currency's smallest card payment where that is more",
  })
  @PriceRules()
  priceCents: number;

  @ApiPropertyOptional({
    default: 'usd',
    example: 'usd',
    description: 'Lower-case ISO 4217 code from ALLOWED_CURRENCIES',
  })
  @Optional()
  @CurrencyRules()
  currency?: string;
}

/** `PUT /creator/products/:id/file` as JSON: a new version from a finished resumable upload. */
export class ReplaceFileFromUploadDto {
  @ApiProperty({ format: 'uuid', description: UPLOAD_ID_DESCRIPTION })
  @IsUUID('all')
  uploadId: string;

  @ApiPropertyOptional({
    maxLength: 1000,
    example: 'Chapter 4 rewritten; two new exercises',
    description: 'What changed, for the version list and the email to buyers',
  })
  @Optional()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Email every buyer who has access that a new version is out',
  })
  @Optional()
  @IsBoolean()
  notifyBuyers?: boolean;
}

/** One file a product has had. */
export class ProductVersionDto {
  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ example: 'course-v2.zip' })
  fileName: string;

  @ApiProperty({ example: 1073741824, description: 'Bytes' })
  size: number;

  @ApiProperty({ example: 'application/zip' })
  contentType: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Hex SHA-256; null when the file went straight to Supabase by resumable upload',
  })
  sha256: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Chapter 4 rewritten' })
  note: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

export class ProductVersionListDto {
  @ApiProperty({ type: [ProductVersionDto], description: 'Newest first' })
  items: ProductVersionDto[];
}
