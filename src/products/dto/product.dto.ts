import { ApiProperty } from '@nestjs/swagger';
import { ProductStatus } from '../product-status.enum.js';

class ProductFieldsDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Lightroom presets: Autumn', minLength: 1, maxLength: 200 })
  title: string;

  @ApiProperty({ example: 'Twelve warm presets for portraits.', maxLength: 10000 })
  description: string;

  @ApiProperty({ example: 1500, description: 'Integer minor units (cents); 0 is free' })
  priceCents: number;

  @ApiProperty({ example: 'usd', description: 'Lower-case ISO 4217 code' })
  currency: string;

  @ApiProperty({ example: 'autumn-presets.zip', description: 'The uploaded file name, cleaned' })
  fileName: string;

  @ApiProperty({ example: 1048576, description: 'File size in bytes' })
  size: number;

  @ApiProperty({ example: 'application/zip' })
  contentType: string;

  @ApiProperty({ example: 1, description: 'Goes up each time the creator replaces the file' })
  version: number;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}

/** A product as its creator sees it. */
export class ProductDto extends ProductFieldsDto {
  @ApiProperty({ enum: ProductStatus, enumName: 'ProductStatus' })
  status: ProductStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'a3f1…',
    description:
      'Hex SHA-256 of the file; null when it went by resumable upload straight to Supabase Storage, whose bytes the API never reads',
  })
  sha256: string | null;
}

export class CreatorSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Ada' })
  displayName: string;
}

/** A published product as anyone sees it in the catalogue. */
export class CatalogueProductDto extends ProductFieldsDto {
  @ApiProperty({ type: CreatorSummaryDto })
  creator: CreatorSummaryDto;

  @ApiProperty({
    example: true,
    description:
      'Whether it can be bought now: false for a paid product whose creator cannot take payments yet (Stripe Connect onboarding unfinished or restricted), when POST /purchase answers 409 CREATOR_CANNOT_ACCEPT_PAYMENTS',
  })
  purchasable: boolean;
}
