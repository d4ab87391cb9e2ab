import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { DATE_PATTERN, DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS } from '../period.js';

export class StatsQueryDto {
  @ApiPropertyOptional({
    format: 'date',
    description: `First day of the period (inclusive, in \`tz\`). Default: ${DEFAULT_PERIOD_DAYS - 1} days before \`to\`.`,
  })
  @Optional()
  @Matches(DATE_PATTERN, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: `Last day of the period (inclusive, in \`tz\`). Default: today in \`tz\`. At most ${MAX_PERIOD_DAYS} days from \`from\` to \`to\`.`,
  })
  @Optional()
  @Matches(DATE_PATTERN, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({
    default: 'UTC',
    example: 'UTC',
    description: 'IANA time zone in which days begin and end',
  })
  @Optional()
  @IsString()
  @MaxLength(64)
  tz?: string;
}
