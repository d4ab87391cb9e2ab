import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { PurchaseStatus } from '../purchase-status.enum.js';

export class StartCheckoutDto {
  @ApiPropertyOptional({
    description:
      'Where the buyer lands after paying: on PUBLIC_URL or an origin in CORS_ORIGINS. ' +
      "`{CHECKOUT_SESSION_ID}` is replaced with the session id. Default: the API's /checkout/success page.",
    example: 'https://shop.example.com/thanks?session_id={CHECKOUT_SESSION_ID}',
    maxLength: 2048,
  })
  @Optional()
  @IsString()
  @MaxLength(2048)
  successUrl?: string;

  @ApiPropertyOptional({
    description: 'Where the buyer lands after cancelling; same rules as successUrl.',
    example: 'https://shop.example.com/cart',
    maxLength: 2048,
  })
  @Optional()
  @IsString()
  @MaxLength(2048)
  cancelUrl?: string;
}

export class CheckoutDto {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({
    enum: PurchaseStatus,
    enumName: 'PurchaseStatus',
    example: PurchaseStatus.Pending,
  })
  status: PurchaseStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Send the buyer here to pay; null for a free product (paid at once)',
  })
  checkoutUrl: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The payment provider's checkout session id",
  })
  sessionId: string | null;
}

export class PurchaseProductDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  title: string;
}

export class PurchaseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: PurchaseStatus, enumName: 'PurchaseStatus' })
  status: PurchaseStatus;

  @ApiProperty({ description: 'Whether the file can be downloaded now' })
  hasAccess: boolean;

  @ApiProperty({ description: 'Price paid, minor units, copied at checkout', example: 1500 })
  amountCents: number;

  @ApiProperty({ example: 'usd' })
  currency: string;

  @ApiProperty({ description: 'Refunded so far, minor units', example: 0 })
  refundedCents: number;

  @ApiProperty({ enum: ['stripe', 'simulated', 'free'] })
  provider: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paidAt: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  refundedAt: Date | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: PurchaseProductDto })
  product: PurchaseProductDto;
}

export class LibraryCreatorDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  displayName: string;
}

export class LibraryProductDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ enum: ['published', 'unpublished', 'archived'] })
  status: string;

  @ApiProperty({ type: LibraryCreatorDto })
  creator: LibraryCreatorDto;

  @ApiProperty({ example: 'guide.pdf' })
  fileName: string;

  @ApiProperty({ description: 'Bytes', example: 1048576 })
  size: number;

  @ApiProperty({ example: 'application/pdf' })
  contentType: string;

  @ApiProperty({ description: 'File version; downloads always get the latest', example: 1 })
  version: number;
}

export class LibraryItemDto {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ enum: PurchaseStatus, enumName: 'PurchaseStatus' })
  status: PurchaseStatus;

  @ApiProperty({ description: 'Whether GET /download/{productId} gives a link now' })
  hasAccess: boolean;

  @ApiProperty({
    example: 2,
    description: "The product file's latest version (what a download gives)",
  })
  version: number;

  @ApiProperty({
    description:
      'True when you downloaded an earlier version and not this one yet (from your download links)',
  })
  updateAvailable: boolean;

  @ApiProperty({ example: 1500 })
  amountCents: number;

  @ApiProperty({ example: 'usd' })
  currency: string;

  @ApiProperty({ example: 0 })
  refundedCents: number;

  @ApiProperty({ type: String, format: 'date-time' })
  paidAt: Date;

  @ApiProperty({ type: LibraryProductDto })
  product: LibraryProductDto;
}
