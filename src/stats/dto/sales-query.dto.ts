import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';
import { DATE_PATTERN } from '../period.js';

export class SalesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'date',
    description: 'Only sales paid on or after this day (in `tz`)',
  })
  @Optional()
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: 'Only sales paid on or before this day (in `tz`)',
  })
  @Optional()
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({
    default: 'UTC',
    example: 'UTC',
    description: 'IANA time zone of `from` and `to`',
  })
  @Optional()
  @IsString()
  @MaxLength(64)
  tz?: string;

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    description:
      '`csv` (or `Accept: text/csv`) answers every matching sale as CSV instead of a page',
  })
  @Optional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
