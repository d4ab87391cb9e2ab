import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { PurchaseStatus } from '../purchase-status.enum.js';

/** One sale as its creator sees it: in the sales list, and as a refund's answer. */
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

  @ApiProperty({
    example: 100,
    description:
      'The platform fee kept on this sale (`connect` payouts mode), net of the part refunded with refunds; 0 in `platform` mode',
  })
  feeCents: number;

  @ApiProperty({
    example: 1890,
    description: 'What the creator keeps: `amountCents - refundedCents - feeCents`',
  })
  earningsCents: number;

  @ApiProperty({ type: String, format: 'date-time' })
  paidAt: Date;
}

export class RefundSaleDto {
  @ApiPropertyOptional({
    example: 500,
    minimum: 1,
    description: 'Minor units to refund; default: all that is left of the sale',
  })
  // Absent means "all that is left"; null is refused, never read as absent.
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(99_999_999)
  amountCents?: number;
}
