import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../common/pagination.js';
import { PurchaseStatus } from '../../purchases/purchase-status.enum.js';

export class SaleDto {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty({ format: 'uuid' })
  productId: string;

  @ApiProperty({ example: 'Lightroom presets' })
  productTitle: string;

  @ApiProperty({ example: 'ada@example.com' })
  buyerEmail: string;

  @ApiProperty({ example: 1990, description: 'Paid, minor units (the price at checkout)' })
  amountCents: number;

  @ApiProperty({ example: 'usd' })
  currency: string;

  @ApiProperty({ enum: PurchaseStatus, enumName: 'PurchaseStatus', description: 'Current status' })
  status: PurchaseStatus;

  @ApiProperty({ example: 0, description: 'Refunded so far (a lost dispute counts in full)' })
  refundedCents: number;

  @ApiProperty({ type: String, format: 'date-time' })
  paidAt: Date;
}

export class SalePageDto extends PageDto(SaleDto, 'SalePage') {}
