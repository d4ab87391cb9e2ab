import { Optional } from '../../common/decorators/optional.decorator.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';
import { quickParse } from '../../common/pipes/validation.js';

export const CATALOGUE_SORTS = ['newest', 'price_asc', 'price_desc'] as const;
export type CatalogueSort = (typeof CATALOGUE_SORTS)[number];

export class CatalogueQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Search in titles and descriptions (web-search syntax: words, "a phrase", -excluded, or)',
    maxLength: 200,
  })
  @Optional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Only this creator's products" })
  @Optional()
  @IsUUID('all')
  creatorId?: string;

  @ApiPropertyOptional({ enum: CATALOGUE_SORTS, default: 'newest' })
  @Optional()
  @IsIn(CATALOGUE_SORTS)
  sort: CatalogueSort = 'newest';
}

const SIMPLE_LIMIT = /^(?:[1-9]\d?|100)$/;

// Most catalogue requests are `?limit=N` and/or `?sort=...` with nothing else: read those without
// class-transformer and class-validator (anything else gets the full validation).
quickParse(CatalogueQueryDto, (value) => {
  if (typeof value !== 'object' || value === null) return undefined;
  const query = new CatalogueQueryDto();
  for (const [name, given] of Object.entries(value)) {
    if (typeof given !== 'string') return undefined;
    if (name === 'limit' && SIMPLE_LIMIT.test(given)) query.limit = Number(given);
    else if (name === 'sort' && (CATALOGUE_SORTS as readonly string[]).includes(given)) {
      query.sort = given as CatalogueSort;
    } else return undefined;
  }
  return query;
});
