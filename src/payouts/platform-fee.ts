/** The platform's fee rule in `connect` payouts mode (PLATFORM_FEE_BPS, PLATFORM_FEE_FIXED_CENTS). */
export interface FeeRule {
  /** Basis points of the price: 500 is 5%. */
  bps: number;
  /** Added to every paid sale, in the sale currency's minor units. */
  fixedCents: number;
}

/**
 * The fee on a sale of `priceCents` minor units: `bps` basis points of the price rounded half up
 * to a whole minor unit, plus the fixed part, never more than the price. Prices are already in
 * the currency's minor units (cents, or yen for a zero-decimal currency such as JPY), so the same
 * integer arithmetic holds in every currency. A free product pays no fee.
 */
export function platformFee(priceCents: number, rule: FeeRule): number {
  if (priceCents <= 0) return 0;
  // Integers only: priceCents * bps stays far below 2^53 (at most 99,999,999 * 10,000).
  const proportional = Math.floor((priceCents * rule.bps + 5_000) / 10_000);
  return Math.min(priceCents, proportional + rule.fixedCents);
}

/**
 * The part of a sale's fee returned after refunds totalling `refundedCents`: in proportion to
 * the amount refunded (Stripe's `refund_application_fee`), rounded half up, all of it after a
 * full refund. Computed from running totals, so duplicates and order do not matter.
 */
export function refundedFee(
  sale: { amountCents: number; feeCents: number },
  refundedCents: number,
): number {
  if (sale.feeCents === 0 || sale.amountCents === 0) return 0;
  if (refundedCents >= sale.amountCents) return sale.feeCents;
  return Math.floor(
    (sale.feeCents * refundedCents * 2 + sale.amountCents) / (2 * sale.amountCents),
  );
}
