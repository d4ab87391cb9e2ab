import { describe, expect, it } from '@jest/globals';
import { platformFee, refundedFee } from './platform-fee.js';

describe(platformFee.name, () => {
  it.each([
    // price, bps, fixed, fee
    [1000, 500, 0, 50],
    [1990, 500, 0, 100], // 99.5 rounds half up
    [1989, 500, 0, 99], // 99.45 rounds down
    [50, 500, 0, 3], // 2.5 rounds half up
    [1000, 0, 0, 0],
    [1000, 10_000, 0, 1000],
    [1500, 290, 30, 74], // 43.5 -> 44, + 30
    [60, 500, 100, 60], // the fixed part alone exceeds the price: capped at the price
    [0, 500, 30, 0], // free: no fee
  ])('%i at %i bps + %i is %i', (price, bps, fixedCents, fee) => {
    expect(platformFee(price, { bps, fixedCents })).toBe(fee);
  });
});

describe(refundedFee.name, () => {
  const sale = { amountCents: 1000, feeCents: 55 };

  it('returns the fee in proportion to the refund, rounded half up', () => {
    expect(refundedFee(sale, 0)).toBe(0);
    expect(refundedFee(sale, 500)).toBe(28); // 27.5
    expect(refundedFee(sale, 100)).toBe(6); // 5.5
    expect(refundedFee(sale, 90)).toBe(5); // 4.95
  });

  it('returns all of it after a full refund, and nothing on a sale without a fee', () => {
    expect(refundedFee(sale, 1000)).toBe(55);
    expect(refundedFee({ amountCents: 1000, feeCents: 0 }, 1000)).toBe(0);
    expect(refundedFee({ amountCents: 0, feeCents: 0 }, 0)).toBe(0);
  });
});
