import { describe, expect, it } from '@jest/globals';
import { formatMoney, formatPrice, formatSize, parsePrice, toMajorUnits } from './money';

describe('money', () => {
  it('shows minor units as major units in the currency', () => {
    expect(formatPrice(1250, 'usd', 'en-US')).toBe('$12.50');
    expect(formatPrice(900, 'eur', 'en-US')).toBe('€9.00');
    expect(formatPrice(1200, 'jpy', 'en-US')).toBe('¥1,200');
    expect(formatPrice(123456, 'gbp', 'en-GB')).toBe('£1,234.56');
    expect(formatPrice(1250, 'eur', 'de-DE')).toBe('12,50\u00a0€');
  });

  it('says Free for a zero price, but a zero sum stays a sum', () => {
    expect(formatPrice(0, 'usd', 'en-US')).toBe('Free');
    expect(formatMoney(0, 'usd', 'en-US')).toBe('$0.00');
  });

  it('fills a price field in major units', () => {
    expect(toMajorUnits(1250, 'usd')).toBe('12.50');
    expect(toMajorUnits(5, 'eur')).toBe('0.05');
    expect(toMajorUnits(1200, 'jpy')).toBe('1200');
  });

  it('reads a typed price into minor units', () => {
    expect(parsePrice('12.5', 'usd')).toBe(1250);
    expect(parsePrice(' 12,50 ', 'eur')).toBe(1250);
    expect(parsePrice('0.05', 'usd')).toBe(5);
    expect(parsePrice('7', 'gbp')).toBe(700);
    expect(parsePrice('1200', 'jpy')).toBe(1200);
    expect(parsePrice('0', 'usd')).toBe(0);
  });

  it('refuses what is not a price in that currency', () => {
    for (const text of ['', 'abc', '-1', '1.234', '1e3', '12.', '.5', '1,000.00', '9'.repeat(20)]) {
      expect({ text, cents: parsePrice(text, 'usd') }).toEqual({ text, cents: null });
    }
    expect(parsePrice('12.5', 'jpy')).toBeNull();
  });

  it('shows file sizes as people read them', () => {
    expect(formatSize(830)).toBe('830 B');
    expect(formatSize(1_200_000)).toBe('1.2 MB');
    expect(formatSize(25_000_000)).toBe('25 MB');
  });
});
