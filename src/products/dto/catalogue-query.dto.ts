import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';

export const CATALOGUE_SORTS = ['newest', 'price_asc', 'price_desc'] as const;
export type CatalogueSort = (typeof CATALOGUE_SORTS)[number];

export class CatalogueQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Search in titles and descriptions (web-search syntax: words, "a phrase", -excluded, or)',
    maxLength: 200,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only this creator's products" })
  @IsOptional()
  @IsUUID('all')
  creatorId?: string;

  @ApiPropertyOptional({ enum: CATALOGUE_SORTS, default: 'newest' })
  @IsOptional()
  @IsIn(CATALOGUE_SORTS)
  sort: CatalogueSort = 'newest';
}
