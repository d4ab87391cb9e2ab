import { describe, expect, it } from '@jest/globals';
import { DomainException } from './domain.exception.js';
import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const cursor = encodeCursor(['2026-01-01T00:00:00.000Z', 'abc']);
    expect(decodeCursor(cursor, (v) => v.length === 2)).toEqual([
      '2026-01-01T00:00:00.000Z',
      'abc',
    ]);
  });

  it.each(['', 'not base64 !!', encodeCursor([1]), Buffer.from('{"a":1}').toString('base64url')])(
    'refuses %p with a 400 VALIDATION_FAILED',
    (cursor) => {
      expect(() => decodeCursor(cursor, (v) => v.length === 2)).toThrow(DomainException);
      try {
        decodeCursor(cursor, (v) => v.length === 2);
      } catch (error) {
        expect((error as DomainException).getStatus()).toBe(400);
        expect((error as DomainException).code).toBe('VALIDATION_FAILED');
      }
    },
  );

  it('makes a page of limit items with the cursor of the last one when more exist', () => {
    const rows = [1, 2, 3];
    const page = toPage(
      rows,
      2,
      (n) => n * 10,
      (n) => [n],
    );
    expect(page.items).toEqual([10, 20]);
    expect(decodeCursor(page.nextCursor!, () => true)).toEqual([2]);
    expect(
      toPage(
        rows,
        3,
        (n) => n,
        (n) => [n],
      ).nextCursor,
    ).toBeNull();
  });
});
