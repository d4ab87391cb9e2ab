import { ApiProperty } from '@nestjs/swagger';
import { ProductStatus } from '../../products/product-status.enum.js';

export class CurrencyFiguresDto {
  @ApiProperty({
    example: 'usd',
    description: 'Lower-case ISO 4217; figures are never summed across currencies',
  })
  currency: string;

  @ApiProperty({ example: 12, description: 'Purchases paid in the period (refunded later or not)' })
  sales: number;

  @ApiProperty({ example: 23880, description: 'Sum of the amounts paid, minor units' })
  grossCents: number;

  @ApiProperty({
    example: 1990,
    description: 'Refunded so far on those sales (a lost dispute counts in full)',
  })
  refundedCents: number;

  @ApiProperty({ example: 21890, description: '`grossCents - refundedCents`' })
  netCents: number;

  @ApiProperty({
    example: 1095,
    description:
      'Platform fees kept on those sales (`connect` payouts mode), net of the fees returned with refunds; 0 in `platform` mode',
  })
  feeCents: number;

  @ApiProperty({ example: 20795, description: 'What the creator keeps: `netCents - feeCents`' })
  earningsCents: number;
}

export class CurrencyTotalsDto extends CurrencyFiguresDto {
  @ApiProperty({ example: 11, description: 'Distinct buyers among those sales' })
  buyers: number;
}

export class ProductStatsDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Lightroom presets' })
  title: string;

  @ApiProperty({ enum: ProductStatus, enumName: 'ProductStatus' })
  status: ProductStatus;

  @ApiProperty({ example: 40, description: 'Download links issued in the period' })
  downloads: number;

  @ApiProperty({ type: [CurrencyFiguresDto], description: 'Per currency; empty with no sales' })
  figures: CurrencyFiguresDto[];
}

export class DailyPointDto {
  @ApiProperty({ format: 'date', example: '2025-01-31', description: 'A day in `tz`' })
  date: string;

  @ApiProperty({ example: 'usd' })
  currency: string;

  @ApiProperty({ example: 3 })
  sales: number;

  @ApiProperty({ example: 5970 })
  grossCents: number;

  @ApiProperty({ example: 0, description: 'Refunded so far of that day’s sales' })
  refundedCents: number;

  @ApiProperty({ example: 5970, description: '`grossCents - refundedCents`' })
  netCents: number;

  @ApiProperty({ example: 299, description: 'Platform fees kept on that day’s sales' })
  feeCents: number;

  @ApiProperty({ example: 5671, description: '`netCents - feeCents`' })
  earningsCents: number;
}

export class StatsDto {
  @ApiProperty({ format: 'date', example: '2025-01-01' })
  from: string;

  @ApiProperty({ format: 'date', example: '2025-01-31' })
  to: string;

  @ApiProperty({ example: 'UTC' })
  tz: string;

  @ApiProperty({ type: [CurrencyTotalsDto], description: 'The period, per currency' })
  totals: CurrencyTotalsDto[];

  @ApiProperty({ type: [CurrencyTotalsDto], description: 'All time, per currency' })
  lifetime: CurrencyTotalsDto[];

  @ApiProperty({
    type: [ProductStatsDto],
    description: 'Every product of the creator, newest first, with its figures for the period',
  })
  products: ProductStatsDto[];

  @ApiProperty({
    type: [DailyPointDto],
    description:
      'One row per day of the period and per currency (those of the sales in the period and of the creator’s products), zeros included, by date then currency',
  })
  daily: DailyPointDto[];
}
