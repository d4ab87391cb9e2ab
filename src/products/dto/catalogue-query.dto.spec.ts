import { describe, expect, it } from '@jest/globals';
import { ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { createValidationPipe } from '../../common/pipes/validation.js';
import { CATALOGUE_SORTS, CatalogueQueryDto } from './catalogue-query.dto.js';

const metadata = { type: 'query', metatype: CatalogueQueryDto } as const;

/** What a pipe makes of a query: the DTO's fields, or 'refused'. */
async function outcome(pipe: ValidationPipe, query: Record<string, unknown>): Promise<unknown> {
  try {
    const dto = (await pipe.transform(query, metadata)) as CatalogueQueryDto;
    expect(dto).toBeInstanceOf(CatalogueQueryDto);
    return { ...dto };
  } catch {
    return 'refused';
  }
}

describe('the catalogue query', () => {
  const app = createValidationPipe();
  // The same options without the quick path: what every query got before it.
  const full = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

  it.each([
    {},
    { limit: '20' },
    { limit: '1' },
    { limit: '100' },
    { sort: 'price_asc' },
    { limit: '5', sort: 'price_desc' },
    { limit: '0' },
    { limit: '101' },
    { limit: '020' },
    { limit: '2.5' },
    { limit: ['20', '30'] },
    { sort: 'oldest' },
    { q: 'fonts' },
    { other: '1' },
  ])('is read as the full validation reads it: %p', async (query) => {
    expect(await outcome(app, query)).toEqual(await outcome(full, query));
  });

  it('agrees with the full validation on any mix of limit and sort', async () => {
    const text = fc.oneof(
      fc.integer({ min: -5, max: 120 }).map(String),
      fc.constantFrom(...CATALOGUE_SORTS, 'Newest', ' 20', '1e1', ''),
      fc.string({ maxLength: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({ limit: text, sort: text }, { requiredKeys: [] }),
        async (query) => {
          expect(await outcome(app, query)).toEqual(await outcome(full, query));
        },
      ),
      { numRuns: 300 },
    );
  });
});
